"""Every staff endpoint of the API refuses a worker with 403, like the console does: walked from the
ninja instance itself, so an endpoint added later is covered without a line here."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from gonghui.core.api import api
from gonghui.core.api_audience import STAFF_MODULES
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db


def staff_operations() -> list[tuple[str, str]]:
    """(method, URL) of each operation of a staff API module, path parameters filled with a fresh UUID."""
    api.get_openapi_schema()  # builds the routers' operations
    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                if not STAFF_MODULES.match(operation.view_func.__module__):
                    continue
                if getattr(operation.view_func, "_audience_shared", False):  # the member's own transfer
                    continue
                url = "/api/v1/" + (prefix.strip("/") + "/" + path.lstrip("/")).strip("/")
                url = re.sub(r"\{(?:\w+:)?\w+\}", lambda _: str(uuid.uuid4()), url)
                if path.endswith("/"):
                    url += "/"
                for method in operation.methods:
                    found.append((method, url))
    return found


def test_it_finds_the_staff_endpoints() -> None:
    found = staff_operations()
    assert len(found) > 100
    assert ("GET", "/api/v1/market/manage/stats") in found and ("GET", "/api/v1/market/manage/orders/counts") in found
    assert not any(url.startswith("/api/v1/members/transfers/") and method == "GET" for method, url in found)


def test_a_worker_gets_403_from_every_staff_endpoint(cast: Cast) -> None:
    worker = cast.client("worker_a", api=True)
    wrong: list[str] = []
    for method, url in staff_operations():
        call: Any = getattr(worker, method.lower())
        response = call(url, {}, content_type="application/json") if method != "GET" else call(url)
        if response.status_code != 403:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
