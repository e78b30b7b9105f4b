"""API plumbing: the one ninja instance, token auth, the error body and pagination.

Every error leaves the API as ``{"code": …, "message": …, "detail": …}`` with a Chinese message.
App routers are mounted in gonghui/urls.py at /api/v1/<app>/.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, django_auth

from .errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    detail: Any = None


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token issued by POST /api/v1/accounts/token."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token_model = apps.get_model("accounts", "ApiToken")
        user = token_model.objects.authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]

api = NinjaAPI(
    title="Gonghui 工会 API",
    version="1",
    description=(
        "智慧工会服务平台接口。认证：先 POST /api/v1/accounts/token 以手机号和密码换取令牌，"
        "再以 `Authorization: Bearer <令牌>` 调用其他接口。错误统一为 {code, message, detail}。"
    ),
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, detail: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "detail": detail}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.detail)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {"field": ".".join(str(p) for p in err.get("loc", ())[1:]) or None, "message": err.get("msg", "")}
        for err in exc.errors
    ]
    return error_response(request, 422, "invalid", "请求参数有误，请检查后重试", detail)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "请先登录，或令牌已失效")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "未找到该记录，或您无权查看")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", "您的角色无权执行此操作")


# django-ninja raises these HttpErrors itself, with English text; the body must still be in Chinese.
_NINJA_HTTP_ERRORS = (
    ("Cannot parse request body", "bad_request", "请求内容无法解析，请提交有效的JSON"),
    ("CSRF check Failed", "csrf_failed", "安全校验失败，请刷新页面后重试"),
)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        return error_response(request, 429, "throttled", "请求过于频繁，请稍后再试", {"wait": exc.wait})
    if isinstance(exc, AuthorizationError):
        return error_response(request, exc.status_code, "forbidden", "您的角色无权执行此操作")
    message = str(exc)
    for prefix, code, chinese in _NINJA_HTTP_ERRORS:
        if message.startswith(prefix):  # in DEBUG ninja appends the parser's error
            return error_response(request, exc.status_code, code, chinese)
    return error_response(request, exc.status_code, "error", message)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    import logging

    logging.getLogger("gonghui.api").exception("unhandled API error on %s", request.path)
    return error_response(request, 500, "server_error", "服务器开小差了，请稍后再试")


class Page(PaginationBase):
    """``?page=1&page_size=20`` → ``{"items": [...], "count": N, "page": 1, "page_size": 20}``."""

    class Input(Schema):
        page: int = 1
        page_size: int = settings.NINJA_PAGINATION_PER_PAGE

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: Any, pagination: Input, **params: Any) -> dict[str, Any]:
        page = max(pagination.page, 1)
        size = min(max(pagination.page_size, 1), settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE)
        offset = (page - 1) * size
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        # Past the end there is nothing to fetch; skipping the query also keeps an absurd ?page= from
        # overflowing the database's OFFSET integer (a 500 on SQLite and PostgreSQL).
        items = list(queryset[offset: offset + size]) if offset < count else []
        return {"items": items, "count": count, "page": page, "page_size": size}
