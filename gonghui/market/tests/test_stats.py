"""Statistics per domain, brand, provider and union (服务人次 = orders signed for), within the
caller's scope, with the Excel export (audited)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gonghui.core.models import AuditLog
from gonghui.market.models import Provider
from gonghui.market.services import orders
from gonghui.testing import Cast
from gonghui.unions import services as union_services

from .conftest import advance, load, make_offering, new_member, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(cast: Cast, provider: Provider) -> dict[str, object]:
    brand = union_services.brand_create(actor=cast.province_admin, union=cast.province, name="普惠服务")
    training = make_offering(cast, provider, title="电工技能培训", domain="education", capacity=50)
    training.brands.add(brand)
    legal = make_offering(cast, provider, title="劳动合同咨询", domain="legal", capacity=50)
    advance(cast, place(cast, "worker_a", training), "reviewed")            # 5★, grassroots A
    advance(cast, place(cast, "gig_worker_a", training), "confirmed")       # district A itself
    cancelled = place(cast, "provider", training)
    orders.order_cancel(actor=cast.users["provider"], order=load(cancelled))
    other = new_member(cast.street_a)
    orders.order_place(actor=other.user, batch=legal.batches.get())          # placed, street A
    return {"brand": brand, "training": training, "legal": legal}


def test_it_counts_people_served_per_domain_brand_provider_and_union(cast: Cast, activity: dict) -> None:
    api = cast.client("district_a_officer", api=True)
    body = api.get("/api/v1/market/manage/stats").json()
    assert body["total"] == {"key": "all", "label": "合计", "orders": 4, "served": 2, "cancelled": 1,
                             "rating": 5.0, "reviews": 1}
    domains = {row["label"]: (row["orders"], row["served"]) for row in body["domains"]}
    assert domains["教育培训"] == (3, 2) and domains["法律咨询"] == (1, 0) and domains["医疗健康"] == (0, 0)
    assert [(b["label"], b["served"]) for b in body["brands"]] == [("普惠服务", 2)]
    assert [(p["label"], p["served"], p["orders"]) for p in body["providers"]] == [("陈劳模", 2, 4)]
    # per child union of district A (street A holds grassroots A), plus district A's own members
    unions = {row["label"]: (row["orders"], row["served"]) for row in body["unions"]}
    assert unions == {"甲区总工会（本级）": (2, 1), "甲区东街道总工会": (2, 1)}
    # the city officer sees district A as one line; district B sees nothing
    city = cast.client("city_officer", api=True).get("/api/v1/market/manage/stats").json()
    assert {r["label"]: r["served"] for r in city["unions"]} == {"甲区总工会": 2, "乙区总工会": 0}
    assert cast.client("district_b_officer", api=True).get("/api/v1/market/manage/stats").json()["total"][
        "orders"] == 0
    # a period that ends before today: nothing
    assert api.get("/api/v1/market/manage/stats?until=2020-01-01").json()["total"]["orders"] == 0


def test_it_exports_the_statistics_to_excel(cast: Cast, activity: dict) -> None:
    officer = cast.client("district_a_officer")
    page = officer.get("/console/market/stats/").content.decode()
    assert "服务人次" in page and "教育培训" in page and "普惠服务" in page
    response = officer.get("/console/market/stats/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["按领域", "按品牌", "按服务方", "按工会"]
    rows = list(book["按领域"].iter_rows(values_only=True))
    assert rows[0] == ("名称", "订单数", "服务人次", "取消", "评价数", "平均评分")
    assert ("教育培训", 3, 2, 1, 1, 5) in rows and rows[-1][:3] == ("合计", 4, 2)
    assert list(book["按服务方"].iter_rows(values_only=True))[1][:3] == ("陈劳模", 4, 2)
    assert AuditLog.objects.filter(action="export.market_stats", user=cast.district_a_officer).count() == 1


def test_it_shows_provider_workload(cast: Cast, activity: dict) -> None:
    page = cast.client("district_a_officer").get("/console/market/providers/").content.decode()
    assert "陈劳模" in page and "全国劳动模范" in page
    body = cast.client("district_a_officer", api=True).get("/api/v1/market/manage/providers").json()
    item = body["items"][0]
    assert item["provider"]["name"] == "陈劳模" and item["served"] == 2 and item["offerings"] == 2
    assert item["counts"] == {"reviewed": 1, "confirmed": 1, "cancelled": 1, "placed": 1}
