"""The input gate (gonghui.core.input): control characters in any text input and over-long URLs get a Chinese
400/414 before any view, form or schema sees them, on pages and on the API. Run on PostgreSQL too: there a
NUL that got through was a 500 (a NUL cannot be stored nor compared with LIKE)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.core.api import api
from gonghui.core.input import BAD_CHARACTER_MESSAGE, MAX_URL_LENGTH
from gonghui.testing import Cast, register_code

from .test_api_errors import error_body

pytestmark = pytest.mark.django_db


def _refused(response: Any, field: str) -> dict[str, Any]:
    body = error_body(response, 400, "invalid_character")
    assert body["detail"] == {field: BAD_CHARACTER_MESSAGE}
    return body


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_it_refuses_a_control_character_in_a_json_field(bad: str) -> None:
    response = Client().post("/api/v1/accounts/register", json.dumps(
        {"phone": "13912345678", "code": "123456", "name": f"王{bad}五", "password": "Zhigong2026!x"}),
        content_type="application/json")
    _refused(response, "name")


def test_it_refuses_a_control_character_in_a_nested_json_key(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    response = client.post("/api/v1/members/applications/batch-approve",
                           json.dumps({"uuids": [], "extra": {"a\x00": 1}}), content_type="application/json")
    _refused(response, "extra.a\x00")


def test_it_lets_tabs_and_line_breaks_through(cast: Cast) -> None:
    code = register_code("13912345679")
    response = Client().post("/api/v1/accounts/register", json.dumps(
        {"phone": "13912345679", "code": code, "name": "王五", "password": "Zhigong2026!x", "note": "a\tb\r\nc"}),
        content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("url", ["/api/v1/unions/?q=a%00b", "/api/v1/members/?q=630102%00",
                                 "/api/v1/unions/employers?q=%00", "/api/v1/unions/?a%00=1"])
def test_it_refuses_a_nul_in_an_api_query(cast: Cast, url: str) -> None:
    field = "a\x00" if "a%00=" in url else "q"
    _refused(cast.client("province_admin", api=True).get(url), field)


def test_it_refuses_a_nul_in_the_path() -> None:
    _refused(Client().get("/api/v1/appeals/board/a%00b"), "path")


def test_every_search_parameter_of_the_api_refuses_a_nul(cast: Cast) -> None:
    """Every GET operation without path parameters, each of its string query parameters set to a NUL."""
    client = cast.client("province_admin", api=True)
    schema = api.get_openapi_schema()
    tried = 0
    for path, methods in schema["paths"].items():
        op = methods.get("get")
        if op is None or "{" in path:
            continue
        for param in op.get("parameters", []):
            if param["in"] == "query" and param["schema"].get("type", "string") == "string":
                response = client.get(path, {param["name"]: "x\x00y"})
                _refused(response, param["name"])
                tried += 1
    assert tried >= 20


def test_a_page_answers_with_the_error_page(cast: Cast) -> None:
    response = Client().get("/unions/?q=a%00b")
    assert response.status_code == 400
    assert BAD_CHARACTER_MESSAGE in response.content.decode()
    response = cast.client("province_admin").get("/console/members/?q=a%00b")
    assert response.status_code == 400 and BAD_CHARACTER_MESSAGE in response.content.decode()


def test_a_form_post_is_refused_before_the_view(cast: Cast) -> None:
    client = Client()
    response = client.post("/login/", {"phone": "1390000\x000001", "password": "x"})
    assert response.status_code == 400 and BAD_CHARACTER_MESSAGE in response.content.decode()


def test_an_htmx_request_gets_the_message_in_the_alert_area(cast: Cast) -> None:
    response = cast.client("province_admin").get("/console/unions/employers/?q=%00", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#alerts"
    assert BAD_CHARACTER_MESSAGE in response.content.decode()


def test_a_multipart_text_field_is_checked(cast: Cast) -> None:
    # (Django itself drops unprintable characters from an uploaded file's name.)
    upload = SimpleUploadedFile("roster.xlsx", b"PK", content_type="application/octet-stream")
    response = cast.client("province_admin", api=True).post(
        "/api/v1/members/imports", {"file": upload, "note": "a\x00"})
    _refused(response, "note")


def test_a_json_nested_too_deep_is_a_400_not_a_500() -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = Client().post("/api/v1/accounts/register", body, content_type="application/json")
    error_body(response, 400, "bad_request")


def test_an_over_long_url_gets_a_chinese_414() -> None:
    long_query = "q=" + "a" * MAX_URL_LENGTH
    body = error_body(Client().get(f"/api/v1/appeals/board?{long_query}"), 414, "uri_too_long")
    assert body["detail"] == {"max_length": MAX_URL_LENGTH}
    page = Client().get(f"/unions/?{long_query}")
    assert page.status_code == 414 and "网址过长" in page.content.decode()
    assert Client().get("/api/v1/appeals/board?q=" + "a" * 1000).status_code == 200


def test_a_broken_multipart_body_is_a_json_400(cast: Cast) -> None:
    response = cast.client("province_admin", api=True).post(
        "/api/v1/members/imports", b"--x\r\n", content_type="multipart/form-data")  # no boundary
    error_body(response, 400, "bad_request")
