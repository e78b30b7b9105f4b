"""The one gate for what arrives as text: the URL's length and the characters of every text input.

Every request passes here before any view, form or API schema sees it, so one rule holds for the HTML
pages, the HTMX fragments and the API alike:

- the URL (path and query string, as sent) is at most ``MAX_URL_LENGTH`` characters: longer gets 414 with a
  Chinese message (the app server's own request-line limit is set above it; docs/deployment.md);
- no text input holds a control character other than tab and line breaks, or a lone surrogate
  (``gonghui.lib.text.forbidden_character``): not the path, not a query parameter (name or value), not a
  form field or an uploaded file's name, not a string (key or value) anywhere in a JSON body. Such a request
  is refused whole with 400, before anything is written; PostgreSQL cannot store a NUL, and letting it
  through made ~40 searches and writes answer 500.

On the API the answer is the usual ``{code, message, detail}`` body (``detail`` names the field); on a page
it is the error page, or for an HTMX request the message in the page's alert area.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from gonghui.lib.text import forbidden_character

from .api import error_response
from .errors import DomainError, ValidationFailed
from .middleware import domain_error_page

# Long enough for any search or filter a page builds (the longest, a member search with every filter set,
# is under 1,000), short enough that nothing is tempted to carry data in a URL.
MAX_URL_LENGTH = 4096

BAD_CHARACTER_MESSAGE = "提交的内容含有不允许的控制字符（如空字符），请删除后重试"
URL_TOO_LONG_MESSAGE = "网址过长，请减少查询条件后重试"


class UrlTooLong(DomainError):
    status = 414
    code = "uri_too_long"
    default_message = URL_TOO_LONG_MESSAGE


class BadCharacter(ValidationFailed):
    code = "invalid_character"
    default_message = BAD_CHARACTER_MESSAGE


class MalformedBody(ValidationFailed):
    code = "bad_request"
    default_message = "请求内容无法解析，请检查后重新提交"


class MalformedJson(MalformedBody):
    default_message = "请求内容无法解析，请提交有效的JSON"


def _json_strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON document with its dotted location (keys as well as values)."""
    stack = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                yield child_path, key
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))


def _texts(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(field, text) for every piece of text input the request carries."""
    yield "path", request.path_info
    for key, values in request.GET.lists():
        yield key, key
        for value in values:
            yield key, value
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            request.POST  # noqa: B018 - parses the body once; the view reads the same parse
        except MultiPartParserError:
            raise MalformedBody() from None  # no boundary, a broken part: 400 here, not a logged traceback
        for key, values in request.POST.lists():
            yield key, key
            for value in values:
                yield key, value
        for key, files in request.FILES.lists():
            for upload in files:
                yield key, upload.name or ""
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body)
        except ValueError:
            return  # not JSON: the API answers that itself ("请求内容无法解析")
        except RecursionError:
            raise MalformedJson() from None
        yield from _json_strings(document)


def check_input(request: HttpRequest) -> None:
    """Raise UrlTooLong or BadCharacter (with ``detail={field: message}``) for a request no view may see."""
    length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
    if length > MAX_URL_LENGTH:
        raise UrlTooLong(detail={"max_length": MAX_URL_LENGTH})
    for field, text in _texts(request):
        if forbidden_character(text) is not None:
            raise BadCharacter(detail={field: BAD_CHARACTER_MESSAGE})


class InputGuardMiddleware:
    """Refuses over-long URLs and control characters in any text input (see the module docstring).

    Sits after the session, authentication and HTMX middleware (the error page shows the signed-in
    shell and knows an HTMX request) and before any view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_input(request)
        except DomainError as exc:
            return refusal(request, exc)
        return self.get_response(request)


def refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return error_response(request, exc.status, exc.code, exc.message, exc.detail)
    return domain_error_page(request, exc)
