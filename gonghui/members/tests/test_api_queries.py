"""The staff members search of the API costs the same three queries for one match as for a full page:
the token (with its user), the caller's scope, and the page with its bounded count (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number

pytestmark = pytest.mark.django_db


def test_the_members_search_costs_three_queries_whatever_it_finds(cast: Cast,
                                                                   django_assert_num_queries: Any) -> None:
    client = cast.client("city_officer", api=True)
    client.get("/api/v1/members/")  # the token's last_used_at is touched once a minute: not counted
    member_create(actor=None, union=cast.street_a, name="欧阳一", id_number=id_number("630102", "19800101", "101"),
                  phone="13800000101")
    with django_assert_num_queries(3):
        body = client.get("/api/v1/members/", {"q": "欧阳"}).json()
    assert [m["name"] for m in body["items"]] == ["欧阳一"] and body["count"] == 1
    for n in range(2, 9):
        member_create(actor=None, union=cast.street_a, name=f"欧阳{n}",
                      id_number=id_number("630102", f"198001{n:02d}", "101"), phone=f"138000001{n:02d}")
    with django_assert_num_queries(3):
        body = client.get("/api/v1/members/", {"q": "欧阳", "page_size": 5}).json()
    assert (len(body["items"]), body["count"], body["has_next"], body["count_exact"]) == (5, 8, True, True)
    assert all(m["phone"].startswith("138") and "*" in m["phone"] for m in body["items"])
