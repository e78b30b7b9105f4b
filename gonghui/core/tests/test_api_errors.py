"""The API's error body {code, message, detail}, its schema and docs, and pagination."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from ninja.errors import AuthorizationError, HttpError, Throttled

from gonghui.accounts import services as account_services
from gonghui.accounts.models import ApiToken
from gonghui.core.api import api
from gonghui.testing import Cast, log_in

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def error_body(response: HttpResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert CHINESE.search(body["message"]), body["message"]
    return body


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_it_answers_401_without_a_token() -> None:
    body = error_body(Client().get("/api/v1/unions/"), 401, "unauthenticated")
    assert body["message"] == "请先登录，或令牌已失效" and body["detail"] is None


@pytest.mark.parametrize("header", ["Bearer gh_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 300])
def test_it_answers_401_for_a_bad_token(header: str) -> None:
    error_body(Client(headers={"Authorization": header}).get("/api/v1/unions/"), 401, "unauthenticated")


def test_it_answers_401_for_a_revoked_token(cast: Cast) -> None:
    token, raw = ApiToken.issue(cast.province_admin, name="phone")
    assert _bearer(raw).get("/api/v1/unions/").status_code == 200
    account_services.token_revoke(user=cast.province_admin, token_uuid=token.uuid)
    error_body(_bearer(raw).get("/api/v1/unions/"), 401, "unauthenticated")


def test_it_answers_401_for_an_expired_token_or_an_inactive_user(cast: Cast) -> None:
    token, raw = ApiToken.issue(cast.province_admin)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    error_body(_bearer(raw).get("/api/v1/unions/"), 401, "unauthenticated")
    _, raw = ApiToken.issue(cast.city_officer)
    type(cast.city_officer).objects.filter(pk=cast.city_officer.pk).update(is_active=False)
    error_body(_bearer(raw).get("/api/v1/unions/"), 401, "unauthenticated")


def test_it_answers_404_alike_for_unknown_and_out_of_scope_objects(cast: Cast) -> None:
    client = cast.client("district_b_officer", api=True)
    unknown = error_body(client.get(f"/api/v1/unions/{uuid.uuid4()}"), 404, "not_found")
    outside = error_body(client.get(f"/api/v1/unions/{cast.district_a.uuid}"), 404, "not_found")
    assert unknown == outside == {"code": "not_found", "message": "未找到该记录，或您无权查看", "detail": None}


def test_it_answers_403_to_a_viewer_who_writes(cast: Cast) -> None:
    response = cast.client("district_a_viewer", api=True).post(f"/api/v1/unions/{cast.grassroots_a.uuid}/deactivate")
    body = error_body(response, 403, "forbidden")
    assert body["message"] == "您的角色无权执行此操作"


def test_it_answers_422_for_wrong_types_and_missing_fields(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    response = client.post("/api/v1/unions/", {"parent": "not-a-uuid", "level": "high"},
                           content_type="application/json")
    body = error_body(response, 422, "invalid")
    assert body["message"] == "请求参数有误，请检查后重试"
    fields = {item["field"] for item in body["detail"]}
    assert any(field.endswith("parent") for field in fields)  # a wrong type
    assert any(field.endswith("name") for field in fields)    # a missing field
    assert all(set(item) == {"field", "message"} for item in body["detail"])


def test_it_answers_422_for_a_json_body_of_the_wrong_shape(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    error_body(client.post("/api/v1/unions/", "[1, 2]", content_type="application/json"), 422, "invalid")
    error_body(client.post("/api/v1/accounts/token", {"phone": 13800138000}, content_type="application/json"),
               422, "invalid")


def test_it_answers_422_for_a_bad_query_parameter(cast: Cast) -> None:
    body = error_body(cast.client("province_admin", api=True).get("/api/v1/unions/?level=abc"), 422, "invalid")
    assert body["detail"][0]["field"] == "level"


def test_it_answers_in_chinese_for_a_body_that_is_not_json(cast: Cast) -> None:
    # django-ninja raises HttpError(400, "Cannot parse request body"); it used to leave as English.
    response = cast.client("province_admin", api=True).post("/api/v1/unions/", "{not json",
                                                            content_type="application/json")
    error_body(response, 400, "bad_request")


def test_it_answers_in_chinese_for_a_failed_csrf_check(cast: Cast) -> None:
    # A session (cookie) caller must send the CSRF token; ninja's own message was English.
    client = Client(enforce_csrf_checks=True)
    log_in(client, cast.province_admin)
    response = client.post(f"/api/v1/unions/{cast.grassroots_b.uuid}/deactivate")
    error_body(response, 403, "csrf_failed")
    cast.grassroots_b.refresh_from_db()
    assert cast.grassroots_b.is_active


@pytest.mark.parametrize(("exc", "status", "code"), [
    (Throttled(wait=5), 429, "throttled"),
    (AuthorizationError(), 403, "forbidden"),
    (HttpError(400, "Cannot parse request body (Expecting value)"), 400, "bad_request"),  # as in DEBUG
    (HttpError(418, "茶壶不能煮咖啡"), 418, "error"),
])
def test_it_answers_ninjas_own_http_errors_in_chinese(exc: HttpError, status: int, code: str) -> None:
    response = api.on_exception(RequestFactory().get("/api/v1/unions/"), exc)
    error_body(response, status, code)


def test_it_answers_409_for_a_repeated_transition(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    url = f"/api/v1/unions/{cast.grassroots_b.uuid}/deactivate"
    first = client.post(url)
    assert first.status_code == 200 and json.loads(first.content)["is_active"] is False
    body = error_body(client.post(url), 409, "conflict")
    assert body["message"] == "该工会已经是停用状态"


def test_it_serves_the_openapi_schema() -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["info"]["title"] == "Gonghui API"  # ASCII: it names generated client packages
    assert "/api/v1/unions/" in document["paths"]
    assert "/api/v1/core/audit" in document["paths"]


def test_it_describes_every_core_and_unions_operation() -> None:
    # What the schema is built from, router by router, so that a broken router elsewhere doesn't hide
    # a broken one here.
    import gonghui.urls  # noqa: F401 - mounts the routers

    checked = 0
    for prefix, router in api._routers:
        if prefix not in ("/core/", "/unions/"):
            continue
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    model.model_json_schema()
                    checked += 1
    assert checked > 10


def test_it_serves_the_docs_page() -> None:
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


def _page(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/unions/{query}")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_it_pages_lists(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    first = _page(client)
    assert set(first) == {"items", "count", "page", "page_size", "has_next", "count_exact"}
    total = first["count"]
    assert total >= len(cast.unions) and (first["page"], first["page_size"]) == (1, 20)
    assert len(first["items"]) == min(total, 20)
    second = _page(client, "?page=2&page_size=3")
    assert (second["page"], second["page_size"], second["count"]) == (2, 3, total)
    assert [u["name"] for u in second["items"]] == [u["name"] for u in first["items"][3:6]]


@pytest.mark.parametrize(("query", "page", "page_size"), [
    ("?page_size=101", 1, 100),
    ("?page_size=100000", 1, 100),
    ("?page_size=0", 1, 1),
    ("?page_size=-5", 1, 1),
    ("?page=0", 1, 20),
    ("?page=-3", 1, 20),
])
def test_it_keeps_paging_parameters_in_bounds(cast: Cast, query: str, page: int, page_size: int) -> None:
    body = _page(cast.client("province_admin", api=True), query)
    assert (body["page"], body["page_size"]) == (page, page_size)
    assert len(body["items"]) == min(page_size, body["count"])


@pytest.mark.parametrize("page", ["50", "99999999999999999999"])
def test_it_answers_an_empty_page_past_the_end(cast: Cast, page: str) -> None:
    # A huge page number used to overflow the database's OFFSET and answer 500.
    body = _page(cast.client("province_admin", api=True), f"?page={page}")
    assert body["items"] == [] and body["count"] >= len(cast.unions) and body["page"] == int(page)


def test_it_pages_only_what_the_caller_may_see(cast: Cast) -> None:
    body = _page(cast.client("district_b_officer", api=True))
    assert body["count"] == 2 and {u["name"] for u in body["items"]} == {"乙区总工会", "乙公司工会"}
