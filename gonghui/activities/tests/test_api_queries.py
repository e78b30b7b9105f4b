"""The member's activity list costs the same number of queries for one row as for a full page: no N+1
(issue 15). The count is compared between page sizes, so the test fails when a per-row query comes back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.testing import Cast

from .conftest import MakeActivity

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def test_it_lists_open_activities_in_constant_queries(cast: Cast, make_activity: MakeActivity,
                                                       django_assert_num_queries) -> None:
    client = cast.client("worker_a", api=True)
    make_activity(title="活动1")
    client.get("/api/v1/activities/open")  # the token's last_used_at is touched once a minute: not counted
    one, body = _queries(client, "/api/v1/activities/open")
    assert len(body["items"]) == 1
    for n in range(2, 7):
        make_activity(title=f"活动{n}")
    with django_assert_num_queries(one):
        body = client.get("/api/v1/activities/open").json()
    assert len(body["items"]) == 6
