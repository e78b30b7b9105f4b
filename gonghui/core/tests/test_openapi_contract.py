"""The OpenAPI document tells the truth: one class per component name, every error status documented with the
error body, response keys that strict readers accept, stable operation ids, an ASCII title."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pydantic
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from ninja import Router, Schema

import gonghui.urls  # noqa: F401 - mounts the routers
from gonghui.core.api import ERROR_STATUSES, GonghuiAPI, api
from gonghui.testing import Cast

from .test_api_errors import error_body

OPERATION_IDS = Path(__file__).with_name("operation_ids.txt")


@functools.cache
def _document() -> dict[str, Any]:
    return api.get_openapi_schema()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, methods in _document()["paths"].items() for method, op in methods.items()]


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_no_two_schema_classes_share_a_component_name() -> None:
    """ninja names a component after the class alone; two apps' ``BatchIn`` overwrote each other and ~60
    operations were documented with another app's fields."""
    modules: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(pydantic.BaseModel):
        if cls.__module__.startswith("gonghui.") and ".tests." not in cls.__module__:
            modules[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert shared == {}


def test_building_the_schema_refuses_two_definitions_under_one_name() -> None:
    first, second = Router(), Router()

    def make(field: str) -> type[Schema]:
        return type("ClashIn", (Schema,), {"__annotations__": {field: int}, "__module__": f"clash_{field}"})

    def view(model: type[Schema]) -> Any:
        def operation(request, payload):  # annotated below: this module's are strings
            return None
        operation.__annotations__ = {"payload": model}
        return operation

    first.post("/one")(view(make("a")))
    second.post("/two")(view(make("b")))

    clash = GonghuiAPI(urls_namespace="clash-test")
    clash.add_router("/a/", first)
    clash.add_router("/b/", second)
    with pytest.raises(ImproperlyConfigured, match="ClashIn"):
        clash.get_openapi_schema(path_prefix="")


@pytest.mark.parametrize(("path", "method", "fields"), [
    ("/api/v1/members/applications/batch-approve", "post", {"uuids"}),
    ("/api/v1/market/orders/{key}/assign", "post", {"server_name", "scheduled_at"}),
    ("/api/v1/members/transfers", "post", {"to_union", "to_employer", "member", "reason"}),
    ("/api/v1/appeals/tickets/{key}/assign", "post", {"union", "handler", "note"}),
])
def test_request_bodies_are_the_real_ones(path: str, method: str, fields: set[str]) -> None:
    document = _document()
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == fields


def test_every_operation_documents_its_error_statuses() -> None:
    for path, method, op in _operations():
        responses = op["responses"]
        authenticated = bool(op.get("security"))
        expected = {400, 404, 414, 422} | ({401, 403} if authenticated else set()) | (
            {403, 409, 429} if method != "get" else set())
        assert {int(s) for s in responses} >= expected, (method, path)
        for status in expected:
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert {status for status, _, _ in ERROR_STATUSES} == {400, 401, 403, 404, 409, 414, 422, 429}


def test_the_served_document_has_no_duplicated_keys() -> None:
    """openapi_extra's ``"200"`` beside ninja's ``200`` became one key twice ("duplicated mapping key")."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    document = json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
    template = document["paths"]["/api/v1/members/imports/template"]["get"]["responses"]["200"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in template["content"]
    # the member export is a background job: 202 with the job, whose download is the file
    export = document["paths"]["/api/v1/members/export"]["get"]["responses"]
    assert export["202"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/JobOut"}


def test_the_title_is_ascii_for_client_package_names() -> None:
    assert _document()["info"]["title"].isascii()


def test_operation_ids_are_unique_and_none_was_renamed() -> None:
    """Clients generate method names from operation ids: an id may be added, never changed or dropped."""
    ids = [op["operationId"] for _, _, op in _operations()]
    assert len(ids) == len(set(ids))
    published = set(OPERATION_IDS.read_text().split())
    assert published - set(ids) == set()


@pytest.mark.django_db
def test_a_malformed_uuid_in_a_path_gets_the_json_404(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    error_body(client.get("/api/v1/unions/not-a-uuid/children"), 404, "not_found")
    error_body(client.get("/api/v1/no-such-endpoint"), 404, "not_found")
    page = Client().get("/no-such-page/")
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_an_anonymous_write_gets_401_not_a_csrf_failure(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    error_body(client.post(f"/api/v1/unions/{cast.grassroots_b.uuid}/deactivate"), 401, "unauthenticated")
    error_body(client.post("/api/v1/members/transfers", "{}", content_type="application/json"), 401,
               "unauthenticated")


def test_the_security_scheme_names_are_unchanged() -> None:
    assert set(_document()["components"]["securitySchemes"]) == {"BearerToken", "SessionAuth"}
