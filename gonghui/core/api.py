"""API plumbing: the one ninja instance, token auth, the error body, the OpenAPI contract and pagination.

Every error leaves the API as ``{"code": …, "message": …, "detail": …}`` with a Chinese message, and the
OpenAPI schema says so for every operation (``ContractSchema``: the error statuses are documented here, once,
not per endpoint; two schema classes with one component name are refused). App routers are mounted in
gonghui/urls.py at /api/v1/<app>/.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured, PermissionDenied
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from .errors import DomainError


class ErrorOut(Schema):
    """Every error the API answers: a stable code, a Chinese message, and what it concerns (per field)."""

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


class SessionAuth(NinjaSessionAuth):  # the name is the OpenAPI security scheme's: keep it
    """The browser's session cookie (the console's and the H5 pages' own fetches).

    The CSRF check guards a session that exists: a request without a signed-in session has nothing to
    forge, so it goes on to "not signed in" (401) instead of being refused as a forgery (403).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return request.COOKIES.get(self.param_name)


AUTH = [BearerToken(), SessionAuth()]

# (status, when an operation can answer it, what the OpenAPI document says)
ERROR_STATUSES: tuple[tuple[int, str, str], ...] = (
    (400, "any", "请求内容有误（含控制字符、无法解析或业务校验未通过）"),
    (401, "auth", "未登录，或令牌已失效"),
    (403, "auth_or_write", "角色无权执行此操作，或账号已锁定"),
    (404, "any", "记录不存在或不在您的范围内"),
    (409, "write", "记录状态已变化（重复操作或并发冲突）"),
    (414, "any", "网址过长"),
    (422, "any", "请求参数不符合接口定义"),
    (429, "write", "请求过于频繁"),
)


class ContractSchema(OpenAPISchema):
    """ninja's OpenAPI document, made truthful in one place.

    - Every operation documents the error statuses it can answer (``ERROR_STATUSES``) with ``ErrorOut``.
    - Response keys are one kind: ninja writes ``200`` (an int) and an operation's ``openapi_extra``
      ``"200"`` (a string); both became one JSON key twice, which strict YAML/JSON readers refuse.
    - A component name belongs to one class: ninja merges every operation's definitions by class name,
      so two apps' ``BatchIn`` silently documented one app's operations with the other's fields. A second,
      different definition under a taken name raises ImproperlyConfigured (the suite builds the schema).
    """

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ImproperlyConfigured(
                    f"OpenAPI component {name!r} is defined twice with different fields; give one of the "
                    f"schema classes a unique name")
        super().add_schema_definitions(definitions)

    def responses(self, operation: Operation) -> dict:
        result = super().responses(operation)
        authenticated = bool(operation.auth_callbacks)
        write = any(method != "GET" for method in operation.methods)
        error_ref = self._error_ref()
        for status, when, description in ERROR_STATUSES:
            applies = {"any": True, "auth": authenticated, "write": write,
                       "auth_or_write": authenticated or write}[when]
            if applies and status not in result:
                result[status] = {"description": description,
                                  "content": {self.api.renderer.media_type: {"schema": error_ref}}}
        return result

    def _error_ref(self) -> dict:
        schema = ErrorOut.model_json_schema(ref_template=REF_TEMPLATE)
        self.add_schema_definitions({"ErrorOut": schema})
        return {"$ref": REF_TEMPLATE.format(model="ErrorOut")}

    def operation_details(self, operation: Operation) -> dict:
        result = super().operation_details(operation)
        merged: dict[str, dict] = {}
        for status, response in result["responses"].items():
            self.deep_dict_update(merged.setdefault(str(status), {}), response)
        result["responses"] = dict(sorted(merged.items()))
        return result


class GonghuiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractSchema(api=self, path_prefix=path_prefix)


# The title becomes the package name of generated clients (openapi-python-client: "gonghui-api-client"):
# ASCII only. The Chinese name is in the description.
api = GonghuiAPI(
    title="Gonghui API",
    version="1",
    description=(
        "Gonghui（工会）智慧工会服务平台接口。认证：先 POST /api/v1/accounts/token 以手机号和密码换取令牌，"
        "再以 `Authorization: Bearer <令牌>` 调用其他接口。错误统一为 {code, message, detail}，"
        "每个接口列出它可能返回的错误状态码。"
    ),
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, detail: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "detail": detail}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: under /api/ the JSON error body (a malformed UUID in a path matches no route, so ninja
    never sees it); elsewhere Django's 404 page."""
    if request.path_info.startswith("/api/"):
        return error_response(request, 404, "not_found", "未找到该记录，或您无权查看")
    return defaults.page_not_found(request, exception)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.detail)


# pydantic's error types → the message a person reads (pydantic's own text is English).
_FIELD_MESSAGES = {
    "missing": "必须填写", "string_too_long": "不能超过{max_length}个字", "string_too_short": "至少{min_length}个字",
    "too_long": "最多{max_length}项", "too_short": "至少{min_length}项", "string_type": "须为文字",
    "int_parsing": "须为整数", "int_type": "须为整数", "float_parsing": "须为数字", "decimal_parsing": "须为数字",
    "bool_parsing": "须为是或否", "uuid_parsing": "不是有效的标识", "uuid_type": "不是有效的标识",
    "date_from_datetime_parsing": "不是有效的日期", "date_parsing": "不是有效的日期",
    "datetime_from_date_parsing": "不是有效的时间", "datetime_parsing": "不是有效的时间",
    "greater_than_equal": "不能小于{ge}", "less_than_equal": "不能大于{le}", "greater_than": "须大于{gt}",
    "less_than": "须小于{lt}", "enum": "不是可选的值", "literal_error": "不是可选的值",
    "list_type": "须为列表", "dict_type": "须为对象", "model_type": "须为对象", "extra_forbidden": "不是可填写的字段",
    "int_from_float": "须为整数", "finite_number": "须为有限的数字", "json_invalid": "不是有效的JSON",
    "string_unicode": "含有无法识别的字符",
}


def _field_message(err: dict[str, Any]) -> str:
    template = _FIELD_MESSAGES.get(err.get("type", ""))
    if template is None:
        return "格式不正确"
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return template


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {"field": ".".join(str(p) for p in err.get("loc", ())[1:]) or None, "message": _field_message(err)}
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


#: The most rows a page counts. Below it ``count`` is exact; above it counting would grow with the table
#: (a COUNT(*) over every matching row on every page), so the page says "at least this many" instead.
COUNT_CAP = 1000
# Past any real table: an absurd ?page= must not overflow the database's OFFSET integer (a 500).
_MAX_OFFSET = 2**31


_COUNT_ALIAS = "gonghui_page_count"


def _foldable(queryset: Any) -> bool:
    """Whether the page's bounded count can be selected with its rows: model rows, not grouped, distinct or
    combined (there counting the rows' primary keys is counting the rows)."""
    query = queryset.query
    return (getattr(queryset, "_fields", None) is None and getattr(queryset, "_iterable_class", None) is ModelIterable
            and not query.distinct and not query.combinator and query.group_by is None and not query.extra
            and not any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
            and _COUNT_ALIAS not in query.annotations)


class PageFields(Schema):
    """What every page answers beside its ``items`` (docs/api.md, "Pages")."""

    count: int = Field(..., description=f"符合条件的记录数；count_exact 为 false 时表示“至少 {COUNT_CAP} 条”")
    page: int
    page_size: int
    has_next: bool = Field(False, description="是否还有下一页（以多取一条判断，总是准确）")
    count_exact: bool = Field(True, description=f"count 是否为准确数（超过 {COUNT_CAP} 条时不再精确计数）")


class Page(PaginationBase):
    """``?page=1&page_size=20`` → ``{"items": [...], "count": N, "page": 1, "page_size": 20, "has_next": …,
    "count_exact": …}``.

    The page's rows are fetched with one more (limit + 1): that says ``has_next`` without counting. The
    count costs no query when the page is the last one (offset + rows); otherwise it is a COUNT over at
    most ``COUNT_CAP`` + 1 rows, exact below the cap and "at least" above it (``count_exact`` false).
    """

    class Input(Schema):
        page: int = 1
        page_size: int = settings.NINJA_PAGINATION_PER_PAGE

    class Output(PageFields):
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: Any, pagination: Input, **params: Any) -> dict[str, Any]:
        page = max(pagination.page, 1)
        size = min(max(pagination.page_size, 1), settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE)
        offset = (page - 1) * size
        if isinstance(queryset, list) or not hasattr(queryset, "count"):
            rows = list(queryset)
            return {"items": rows[offset: offset + size], "count": len(rows), "page": page, "page_size": size,
                    "has_next": len(rows) > offset + size, "count_exact": True}
        counted = queryset.order_by() if not queryset.query.distinct_fields else queryset
        folded = _foldable(queryset)
        page_qs = queryset
        if folded:
            # The bounded count rides along in the page query as an uncorrelated scalar subquery (the
            # database runs it once): one round trip instead of two. Its value is the COUNT below's.
            # The SQL is the ORM's own compilation of the queryset, its values passed as parameters.
            bounded = counted.values("pk")[: COUNT_CAP + 1]
            try:
                sql, params = bounded.query.get_compiler(using=queryset.db).as_sql()
            except EmptyResultSet:  # .none(), pk__in=[]: no rows, nothing to count
                folded = False
            else:
                count_sql = RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS page_rows", params)  # noqa: S608, S611
                page_qs = queryset.annotate(**{_COUNT_ALIAS: count_sql})
        rows = list(page_qs[offset: offset + size + 1]) if offset < _MAX_OFFSET else []
        carried = None
        if folded and rows:
            carried = getattr(rows[0], _COUNT_ALIAS)
            for row in rows:
                delattr(row, _COUNT_ALIAS)
        has_next = len(rows) > size
        items = rows[:size]
        if not has_next and (items or offset == 0):
            count, exact = offset + len(items), True  # the last page: the count is known without a query
        else:
            count = carried if carried is not None else counted[: COUNT_CAP + 1].count()
            exact = count <= COUNT_CAP
            if not exact:
                count = max(COUNT_CAP, offset + len(items) + int(has_next))
        return {"items": items, "count": count, "page": page, "page_size": size, "has_next": has_next,
                "count_exact": exact}
