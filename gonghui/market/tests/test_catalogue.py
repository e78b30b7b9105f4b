"""备货 → 上架 → 上新 → 下架 from the console and the provider's pages; follows and the 上新 notice to
followers and earlier customers; browse by domain, brand and text; query counts of the list pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.models import Notification
from gonghui.market.models import Batch, Offering, OfferingStatus, Order, Provider
from gonghui.market.services import catalogue, orders
from gonghui.testing import Cast
from gonghui.unions import services as union_services

from .conftest import JSON, advance, make_offering, new_member, place

pytestmark = pytest.mark.django_db


def test_it_prepares_and_lists_an_offering_in_the_console(cast: Cast, provider: Provider) -> None:
    module = union_services.brand_create(actor=cast.province_admin, union=cast.province, name="建功立业")
    brand = union_services.brand_create(actor=cast.province_admin, union=cast.province, name="劳模工匠进企业",
                                        parent=module)
    officer = cast.client("district_a_officer")
    form = officer.get(f"/console/market/offerings/new/?provider={provider.uuid}").content.decode()
    assert "劳模工匠进企业" in form and "甲公司工会" in form
    response = officer.post(f"/console/market/offerings/new/?provider={provider.uuid}", {
        "provider": str(provider.uuid), "title": "数控车床技能提升", "domain": "tech", "summary": "劳模带徒",
        "description": "三次课，每次两小时", "mode": "onsite", "place": "甲区工人文化宫",
        "audience": "union", "audience_union": str(cast.grassroots_a.uuid), "brands": [str(brand.uuid)]})
    assert response.status_code == 302
    offering = Offering.objects.get(title="数控车床技能提升")
    assert offering.status == OfferingStatus.DRAFT and offering.union == cast.district_a
    assert list(offering.brands.all()) == [brand] and offering.audience_union == cast.grassroots_a
    detail = f"/console/market/offerings/{offering.uuid}/"

    listed = officer.post(f"/market/offerings/{offering.uuid}/list/", {"next": detail})
    assert "请先添加上架批次" in officer.get(listed["Location"]).content.decode()
    officer.post(f"/market/offerings/{offering.uuid}/batches/", {
        "name": "第1批", "slots": "2030-03-01 09:00-11:00 5\n2030-03-02 09:00-11:00 5", "next": detail})
    batch = Batch.objects.get(offering=offering)
    assert batch.capacity == 10 and batch.slots.count() == 2
    officer.post(f"/market/offerings/{offering.uuid}/list/", {"next": detail})
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.LISTED
    page = officer.get(detail).content.decode()
    assert "已上架" in page and "劳模工匠进企业" in page and "下架" in page

    bad = officer.post(f"/market/offerings/{offering.uuid}/batches/", {"name": "第2批", "slots": "明天上午 5",
                                                                      "next": detail})
    assert "格式不正确" in officer.get(bad["Location"]).content.decode()
    # a viewer sees the page without the buttons
    viewer = cast.client("district_a_viewer").get(detail).content.decode()
    assert "下架" not in viewer and "编辑服务信息" not in viewer


def test_it_lets_the_provider_stock_and_list_its_own(cast: Cast, provider: Provider) -> None:
    me = cast.client("provider")
    response = me.post("/market/provider/offerings/", {"title": "安全用电讲座", "domain": "lecture",
                                                       "summary": "进社区讲安全", "mode": "online", "audience": "all"})
    assert response.status_code == 302
    offering = Offering.objects.get(title="安全用电讲座")
    assert offering.provider == provider and offering.created_by == cast.users["provider"]
    here = f"/market/provider/offerings/{offering.uuid}/"
    me.post(f"/market/offerings/{offering.uuid}/batches/", {"name": "首批", "capacity": 30,
                                                             "serves_from": "2030-05-01 19:00", "next": here})
    me.post(f"/market/offerings/{offering.uuid}/list/", {"next": here})
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.LISTED
    me.post(f"/market/offerings/{offering.uuid}/withdraw/", {"next": here})
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.WITHDRAWN
    assert "安全用电讲座" in me.get("/market/provider/offerings/").content.decode()


def test_it_announces_a_new_batch_to_followers_and_earlier_customers(
        cast: Cast, offering: Offering, django_capture_on_commit_callbacks: Any) -> None:
    advance(cast, place(cast, "worker_a", offering), "reviewed")
    cast.client("gig_worker_a").post(f"/market/o/{offering.uuid}/follow/", {"on": "1"})
    follower_b = new_member(cast.district_a)
    api_follow = cast.client("worker_b", api=True).post(f"/api/v1/market/offerings/{offering.uuid}/follow")
    assert api_follow.json() == {"followed": True}
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("provider", api=True).post(f"/api/v1/market/offerings/{offering.uuid}/batches",
                                                          {"name": "第2批", "capacity": 20,
                                                           "serves_from": "2030-05-01T09:00:00+08:00"},
                                                          content_type=JSON)
    assert response.status_code == 201
    told = set(Notification.objects.filter(title="上新：电工技能培训").values_list("recipient__name", flat=True))
    assert told == {"王小明", "李骑手", "赵师傅"}
    assert follower_b.user.name not in told
    unfollow = cast.client("worker_b", api=True).delete(f"/api/v1/market/offerings/{offering.uuid}/follow")
    assert unfollow.json() == {"followed": False}


def test_it_browses_by_domain_and_text(cast: Cast, provider: Provider) -> None:
    make_offering(cast, provider, title="电工技能培训", domain="education")
    make_offering(cast, provider, title="劳动合同咨询", domain="legal")
    make_offering(cast, provider, title="未上架的", domain="legal", listed=False)
    worker = cast.client("worker_a")
    assert "劳动合同咨询" in worker.get("/market/?domain=legal").content.decode()
    assert "电工技能培训" not in worker.get("/market/?domain=legal").content.decode()
    found = worker.get("/market/?q=合同", headers={"HX-Request": "true"})
    assert "劳动合同咨询" in found.content.decode() and "<html" not in found.content.decode()
    assert "未上架的" not in worker.get("/market/").content.decode()
    api = cast.client("worker_a", api=True).get("/api/v1/market/offerings?q=陈劳模").json()
    assert api["count"] == 2


def test_it_pins_the_queries_of_the_list_pages(cast: Cast, provider: Provider) -> None:
    for n in range(3):
        offering = make_offering(cast, provider, title=f"服务{n}", capacity=50)
        for _ in range(3):
            member = new_member(cast.district_a)
            orders.order_place(actor=member.user, batch=Batch.objects.get(offering=offering))

    def count(client: Any, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    officer, worker = cast.client("district_a_officer"), cast.client("worker_a")
    board, catalogue_page = count(officer, "/console/market/orders/"), count(worker, "/market/")
    offerings_page = count(officer, "/console/market/?status=listed")
    for n in range(3, 8):  # more rows, same number of queries
        offering = make_offering(cast, provider, title=f"服务{n}", capacity=50)
        for _ in range(2):
            member = new_member(cast.district_a)
            orders.order_place(actor=member.user, batch=Batch.objects.get(offering=offering))
    assert count(officer, "/console/market/orders/") == board
    assert count(worker, "/market/") == catalogue_page
    assert count(officer, "/console/market/?status=listed") == offerings_page
    assert Order.objects.count() == 19


def test_it_refuses_wrong_offering_data(cast: Cast, provider: Provider) -> None:
    data = catalogue.OfferingData(title="x", domain="education", summary="y", mode="onsite", place="")
    with pytest.raises(ValidationFailed, match="服务地点"):
        catalogue.offering_create(actor=cast.district_a_officer, provider=provider, data=data)
    data = catalogue.OfferingData(title="x", domain="education", summary="y", mode="online", audience="union",
                                  audience_union=cast.district_b)
    with pytest.raises(ValidationFailed, match="主办工会范围内"):
        catalogue.offering_create(actor=cast.district_a_officer, provider=provider, data=data)
    with pytest.raises(Forbidden):  # viewers do not write
        catalogue.offering_create(actor=cast.district_a_viewer, provider=provider, data=catalogue.OfferingData(
            title="x", domain="education", summary="y", mode="online"))


def test_it_pins_the_queries_of_the_api_order_lists(cast: Cast, provider: Provider) -> None:
    offering = make_offering(cast, provider, capacity=50)

    def count(url: str, who: str) -> int:
        client = cast.client(who, api=True)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def grow() -> None:
        for _ in range(3):
            member = new_member(cast.district_a)
            advance(cast, orders.order_place(actor=member.user, batch=Batch.objects.get(offering=offering)).order,
                    "reviewed")

    grow()
    before = {url: count(url, who) for url, who in (("/api/v1/market/manage/orders", "district_a_officer"),
                                                    ("/api/v1/market/provider/orders", "provider"))}
    grow()
    assert {url: count(url, who) for url, who in (("/api/v1/market/manage/orders", "district_a_officer"),
                                                  ("/api/v1/market/provider/orders", "provider"))} == before
