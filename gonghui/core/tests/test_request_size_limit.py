"""One request-size limit, enforced before the body is read (gonghui.core.limits).

The body stream used here counts what is read from it: a refused request must have cost nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from gonghui.core.limits import RequestSizeLimitMiddleware
from gonghui.members.services.roster import xlsx as roster_xlsx
from gonghui.testing import Cast
from gonghui.unions.services import imports as union_imports

pytestmark = pytest.mark.django_db

FIFTY_MB = 50 * 1024 * 1024
MULTIPART = "multipart/form-data; boundary=xyz"
DOCS = Path(__file__).resolve().parents[3] / "docs"


class CountingStream:
    """A request body of ``size`` bytes that records how much of it was read."""

    def __init__(self, size: int) -> None:
        self.size, self.taken = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.taken if n is None or n < 0 else min(n, self.size - self.taken)
        self.taken += n
        return b"x" * n

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 1024)


def _post(client: Client, path: str, *, size: int, content_type: str, **extra: str) -> tuple[object, CountingStream]:
    body = CountingStream(size)
    response = client.generic("POST", path, b"", **{
        "wsgi.input": body, "CONTENT_LENGTH": str(size), "CONTENT_TYPE": content_type, **extra})
    return response, body


def test_it_refuses_a_50_mb_upload_on_a_page_unread(cast: Cast) -> None:
    response, body = _post(cast.client("province_admin"), "/console/members/import/", size=FIFTY_MB,
                           content_type=MULTIPART)
    assert response.status_code == 413 and body.taken == 0
    assert "上传的内容过大：一次提交不能超过 45 MB" in response.content.decode()


def test_it_refuses_a_50_mb_upload_on_the_api_with_the_json_error(cast: Cast) -> None:
    response, body = _post(cast.client("province_admin", api=True), "/api/v1/members/imports", size=FIFTY_MB,
                           content_type=MULTIPART)
    assert response.status_code == 413 and body.taken == 0
    assert response.json() == {"code": "too_large", "detail": None, "message": (
        "上传的内容过大：一次提交不能超过 45 MB。请压缩照片、减少文件数量或拆分后分批提交。")}


def test_it_refuses_an_oversized_json_body_before_reading_it(cast: Cast) -> None:
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response, body = _post(cast.client("province_admin", api=True), "/api/v1/members/applications/batch-approve",
                           size=size, content_type="application/json")
    assert response.status_code == 413 and body.taken == 0 and response.json()["code"] == "too_large"


def test_it_shows_the_refusal_where_an_htmx_page_keeps_its_alerts(cast: Cast) -> None:
    response, body = _post(cast.client("worker_a"), "/appeals/new/", size=FIFTY_MB, content_type=MULTIPART,
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 413 and body.taken == 0
    assert response["HX-Retarget"] == "#alerts" and "alert-error" in response.content.decode()


def test_it_refuses_a_chunked_body_it_cannot_measure(cast: Cast) -> None:
    body = CountingStream(FIFTY_MB)
    response = cast.client("province_admin", api=True).generic(
        "POST", "/api/v1/members/imports", b"",
        **{"wsgi.input": body, "CONTENT_TYPE": MULTIPART, "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 411 and body.taken == 0
    assert response.json()["code"] == "length_required"


def test_it_lets_the_largest_legitimate_upload_through() -> None:
    # A roster workbook at its own limit, with the form around it, is the largest body the app takes.
    size = roster_xlsx.MAX_UPLOAD_BYTES + 64 * 1024
    request = RequestFactory().generic("POST", "/console/members/import/", b"", CONTENT_TYPE=MULTIPART,
                                       CONTENT_LENGTH=str(size))
    assert RequestSizeLimitMiddleware(lambda r: None).check(request) is None
    assert union_imports.MAX_UPLOAD_BYTES < settings.REQUEST_MAX_BYTES


def test_it_matches_the_proxy_limit_in_the_deployment_guide() -> None:
    limits = re.findall(r"client_max_body_size\s+(\d+)m;", (DOCS / "deployment.md").read_text())
    assert limits and {int(mb) * 1024 * 1024 for mb in limits} == {settings.REQUEST_MAX_BYTES}
