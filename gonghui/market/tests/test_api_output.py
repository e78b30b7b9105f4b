"""The offering lists of the API: their page built directly is byte for byte ninja's validation of
``OfferingPage``, and they cost a fixed number of queries whatever the page holds (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.photos import Photo
from gonghui.market import api as market_api
from gonghui.market.models import Audience, Batch, Offering, OfferingStatus, Provider
from gonghui.market.services import catalogue
from gonghui.testing import Cast

from .conftest import advance, make_offering, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(cast: Cast, provider: Provider) -> list[Offering]:
    """Offerings of every shape the list renders: with a photo, rated, for one union's members, without an
    orderable batch, full, a draft (no listed_at) and a withdrawn one (the staff list shows those)."""
    photographed = make_offering(cast, provider, title="带图的服务")
    photographed.photo = Photo(folder="market", key="abc123", ext="jpg", width=3000, height=2000,
                               widths=(320, 640, 1280))
    photographed.save(update_fields=["photo"])
    rated = make_offering(cast, provider, title="有评价的服务", domain="lecture")
    advance(cast, place(cast, "worker_a", rated), "reviewed")
    for_union = make_offering(cast, provider, title="本单位会员专享", audience=Audience.UNION,
                              audience_union=cast.grassroots_a)
    closed = make_offering(cast, provider, title="批次已结束")
    Batch.objects.filter(offering=closed).update(status="closed")
    full = make_offering(cast, provider, title="名额已满", capacity=1)
    place(cast, "gig_worker_a", full)
    draft = make_offering(cast, provider, title="草稿", listed=False)
    withdrawn = make_offering(cast, provider, title="已下架")
    catalogue.offering_withdraw(actor=cast.district_a_officer, offering=withdrawn, reason="到期")
    return [photographed, rated, for_union, closed, full, draft, withdrawn]


def _both(client: Client, url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    direct = client.get(url)
    monkeypatch.setattr(market_api, "DIRECT_OUTPUT", False)
    through_schema = client.get(url)
    monkeypatch.setattr(market_api, "DIRECT_OUTPUT", True)
    return direct, through_schema


@pytest.mark.parametrize(("who", "url"), [
    ("worker_a", "/api/v1/market/offerings"),
    ("worker_a", "/api/v1/market/offerings?page_size=2&page=2"),
    ("worker_a", "/api/v1/market/offerings?q=评价"),
    ("district_a_officer", "/api/v1/market/manage/offerings"),
    ("district_a_officer", "/api/v1/market/manage/offerings?page_size=3"),
])
def test_the_direct_page_is_the_schema_s_byte_for_byte(cast: Cast, shelf: list[Offering], who: str, url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client = cast.client(who, api=True)
    direct, through_schema = _both(client, url, monkeypatch)
    assert direct.status_code == through_schema.status_code == 200
    assert direct.content == through_schema.content
    assert direct["Content-Type"] == through_schema["Content-Type"]
    items = direct.json()["items"]
    assert items
    if "page_size" not in url and "q=" not in url:
        shown = {item["title"]: item for item in items}
        assert shown["带图的服务"]["photo"]["urls"]["640"].endswith("abc123-640.jpg")
        assert shown["有评价的服务"]["rating"] == 5.0 and shown["有评价的服务"]["served_count"] == 1
        assert shown["本单位会员专享"]["audience_label"] == "甲公司工会会员"
        assert shown["名额已满"]["remaining"] == 0 and shown["批次已结束"]["remaining"] == 0
        if who == "district_a_officer":
            assert shown["草稿"]["listed_at"] is None and shown["已下架"]["status"] == OfferingStatus.WITHDRAWN


def _count_queries(client: Client, url: str, django_assert_num_queries: Any, expected: int) -> dict:
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_member_s_offering_list_costs_two_queries_whatever_it_holds(
        cast: Cast, provider: Provider, django_assert_num_queries: Any) -> None:
    client = cast.client("worker_a", api=True)
    make_offering(cast, provider, title="第一个")
    client.get("/api/v1/market/offerings")  # the token's last_used_at is touched once a minute: not counted
    # The token with its user and the caller's member; the page with its count and the places left.
    assert len(_count_queries(client, "/api/v1/market/offerings", django_assert_num_queries, 2)["items"]) == 1
    for n in range(4):
        make_offering(cast, provider, title=f"本单位{n}", audience=Audience.UNION, audience_union=cast.grassroots_a)
    body = _count_queries(client, "/api/v1/market/offerings?page_size=3", django_assert_num_queries, 2)
    assert (len(body["items"]), body["count"], body["has_next"]) == (3, 5, True)
