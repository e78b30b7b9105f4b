"""One request-size limit for the whole application, checked before the body is read.

``RequestSizeLimitMiddleware`` sits near the top of settings.MIDDLEWARE, above everything that
reads the body (CSRF reads the form, the API reads JSON). It looks only at the headers:

* ``Content-Length`` above ``REQUEST_MAX_BYTES`` (default 45 MB: the largest upload, a 40 MB
  roster file, plus the form around it) → 413 with a Chinese message;
* a body that is not a multipart upload (JSON, a plain form) above
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` → 413 too, instead of Django's bare 400 after reading it;
* a body without a length (``Transfer-Encoding: chunked``) → 411: Django would read none of it
  and the view would act on an empty request. A reverse proxy (nginx) sends the length.

Nothing of the body has been read at that point, so a 50 MB upload costs the worker nothing. The
proxy's own limit (``client_max_body_size`` in docs/deployment.md) is the same number, so what
nginx lets through the app accepts.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MB = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / MB:g}"


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": code, "message": message, "detail": None}, status=status)
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(f'<div class="alert alert-error">{html.escape(message)}</div>', status=status)
        response["HX-Retarget"] = "#alerts"
        response["HX-Reswap"] = "innerHTML"
    else:
        response = HttpResponse(
            '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>无法受理</title></head>'
            f'<body><h1>无法受理</h1><p>{html.escape(message)}</p><p><a href="/">回到首页</a></p>'
            '</body></html>', status=status)
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


def too_large_message(limit: int) -> str:
    return f"上传的内容过大：一次提交不能超过 {_megabytes(limit)} MB。请压缩照片、减少文件数量或拆分后分批提交。"


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.check(request)
        return refusal if refusal is not None else self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        meta = request.META
        if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _refusal(request, 411, "length_required",
                            "请求缺少长度信息（Content-Length），无法受理，请重新提交。")
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, "bad_request", "请求的长度信息（Content-Length）有误，无法受理。")
        if length <= 0:
            return None
        limit = settings.REQUEST_MAX_BYTES
        if not meta.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limit)
        if length > limit:
            return _refusal(request, 413, "too_large", too_large_message(limit))
        return None
