"""合作伙伴 and 服务圈: signing and editing partners, their redemption accounts, suspending them, and
members finding them by category and by distance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.benefits.models import Partner, PartnerCategory, PartnerStaff, PartnerStatus
from gonghui.benefits.services import partners
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.testing import Cast, make_user

from .conftest import JSON

pytestmark = pytest.mark.django_db

# Around 西宁 (36.62 N, 101.78 E): one degree of latitude is about 111 km.
HERE = (36.6171, 101.7782)


def sign(cast: Cast, name: str, lat: float | None, lng: float | None, category: str = PartnerCategory.DAILY) -> Partner:
    today = timezone.localdate()
    return partners.partner_create(actor=None, union=cast.district_a, name=name, category=category,
                                   address=f"{name}地址", latitude=lat, longitude=lng, discount="9折",
                                   contract_start=today - timedelta(days=1), contract_end=today + timedelta(days=30))


def test_it_measures_distance() -> None:
    # 西宁 → 兰州 is about 190 km as the crow flies
    assert 185 < partners.haversine_km(36.6171, 101.7782, 36.0611, 103.8343) < 195
    min_lat, max_lat, min_lng, max_lng = partners.bounding_box(*HERE, 5)
    assert min_lat < HERE[0] < max_lat and min_lng < HERE[1] < max_lng
    assert partners.haversine_km(*HERE, max_lat, HERE[1]) == pytest.approx(5, rel=1e-3)


def test_it_finds_partners_nearest_first(cast: Cast) -> None:
    near = sign(cast, "近处超市", HERE[0] + 0.003, HERE[1])  # ~330 m north
    mid = sign(cast, "中间诊所", HERE[0], HERE[1] + 0.03, PartnerCategory.MEDICAL)  # ~2.7 km east
    sign(cast, "远处书店", HERE[0] + 0.2, HERE[1], PartnerCategory.EDUCATION)  # ~22 km
    sign(cast, "无坐标洗衣店", None, None)
    ended = sign(cast, "已到期商户", HERE[0], HERE[1])
    Partner.objects.filter(pk=ended.pk).update(contract_end=timezone.localdate() - timedelta(days=1))

    found = partners.partners_nearby(Partner.objects.serving(), lat=HERE[0], lng=HERE[1], radius_km=5)
    assert [n.partner for n in found] == [near, mid]
    assert found[0].distance_label == "330米" and found[1].distance_label == "2.7公里"
    anywhere = partners.partners_nearby(Partner.objects.serving(), lat=HERE[0], lng=HERE[1], radius_km=None)
    assert [n.partner.name for n in anywhere] == ["近处超市", "中间诊所", "远处书店"]
    no_position = partners.partners_nearby(Partner.objects.serving(), lat=None, lng=None)
    assert [n.partner.name for n in no_position] == ["中间诊所", "无坐标洗衣店", "近处超市", "远处书店"]

    page = cast.client(None).get("/benefits/partners/", {"lat": HERE[0], "lng": HERE[1], "radius": "5"})
    text = page.content.decode()
    assert page.status_code == 200 and "近处超市" in text and "330米" in text and "远处书店" not in text
    medical = cast.client(None).get("/benefits/partners/", {"category": "medical"}).content.decode()
    assert "中间诊所" in medical and "近处超市" not in medical
    api = cast.client(None, api=True).get("/api/v1/benefits/circle", {"lat": HERE[0], "lng": HERE[1], "radius": 0})
    assert [(r["partner"]["name"], r["distance_km"] is not None) for r in api.json()][:3] == [
        ("近处超市", True), ("中间诊所", True), ("远处书店", True)]
    assert cast.client(None).get(f"/benefits/partners/{near.uuid}/").status_code == 200
    assert cast.client(None).get(f"/benefits/partners/{ended.uuid}/").status_code == 404


def test_it_signs_and_edits_partners_in_the_console(cast: Cast) -> None:
    officer = cast.client("district_a_officer")
    today = timezone.localdate()
    form = {"union": str(cast.district_a.uuid), "name": "甲区职工书屋", "category": "education",
            "address": "甲区文化路8号", "longitude": "101.78", "latitude": "36.62", "discount": "会员借阅免押金",
            "hotline": "0971-1234567",
            "contract_start": str(today), "contract_end": str(today + timedelta(days=365))}
    created = officer.post("/console/benefits/partners/new/", form)
    assert created.status_code == 302, created.content.decode()[:3000]
    partner = Partner.objects.get(name="甲区职工书屋")
    assert partner.union == cast.district_a and partner.latitude == 36.62
    bad = officer.post("/console/benefits/partners/new/", {**form, "contract_end": str(today - timedelta(days=1))})
    assert bad.status_code == 200 and "不能早于开始日期" in bad.content.decode()
    outside = officer.post("/console/benefits/partners/new/", {**form, "union": str(cast.district_b.uuid)})
    assert outside.status_code == 404
    edited = officer.post(f"/console/benefits/partners/{partner.uuid}/edit/",
                          {**form, "discount": "会员借阅免押金、饮品8折"})
    assert edited.status_code == 302
    partner.refresh_from_db()
    assert partner.discount == "会员借阅免押金、饮品8折"
    assert set(AuditLog.objects.filter(object_key=str(partner.uuid)).values_list("action", flat=True)) == {
        "partner.create", "partner.update"}


def test_it_manages_redemption_accounts(cast: Cast, shop: Partner) -> None:
    assert PartnerStaff.objects.get(partner=shop).user == cast.merchant
    assert Notification.objects.filter(recipient=cast.merchant, title__contains="核销人员").exists()
    with pytest.raises(Conflict, match="一个账号只能服务一家商户"):
        partners.partner_staff_add(actor=None, partner=shop, phone=cast.merchant.phone)
    with pytest.raises(ValidationFailed, match="请对方先在职工端注册"):
        partners.partner_staff_add(actor=None, partner=shop, phone="13812345678")
    cashier = make_user("收银员小张")
    officer = cast.client("district_a_officer")
    added = officer.post(f"/console/benefits/partners/{shop.uuid}/staff/", {"phone": cashier.phone}, follow=True)
    assert "已添加核销人员 收银员小张" in added.content.decode()
    row = PartnerStaff.objects.get(user=cashier)
    officer.post(f"/console/benefits/partners/{shop.uuid}/staff/{row.uuid}/remove/")
    assert not PartnerStaff.objects.filter(user=cashier).exists()
    api = cast.client("district_a_officer", api=True)
    assert api.post(f"/api/v1/benefits/partners/{shop.uuid}/staff", {"phone": cashier.phone},
                    content_type=JSON).status_code == 201
    assert [s["user_name"] for s in api.get(f"/api/v1/benefits/partners/{shop.uuid}/staff").json()] == [
        "周老板", "收银员小张"]


def test_it_suspends_and_resumes_a_partner(cast: Cast, shop: Partner) -> None:
    api = cast.client("district_a_officer", api=True)
    suspended = api.post(f"/api/v1/benefits/partners/{shop.uuid}/suspend", {"reason": "投诉核查"}, content_type=JSON)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert api.post(f"/api/v1/benefits/partners/{shop.uuid}/suspend", {}, content_type=JSON).status_code == 409
    assert shop.name not in cast.client(None).get("/benefits/partners/").content.decode()
    assert api.post(f"/api/v1/benefits/partners/{shop.uuid}/resume", content_type=JSON).json()["status"] == "active"
    assert Partner.objects.get(pk=shop.pk).status == PartnerStatus.ACTIVE
    patched = api.patch(f"/api/v1/benefits/partners/{shop.uuid}", {"hotline": "0971-7654321"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["hotline"] == "0971-7654321"
    assert patched.json()["latitude"] == shop.latitude


def test_it_lists_only_partners_in_scope(cast: Cast, shop: Partner) -> None:
    assert cast.client("district_a_viewer", api=True).get("/api/v1/benefits/partners").json()["count"] == 1
    assert cast.client("district_b_officer", api=True).get("/api/v1/benefits/partners").json()["count"] == 0
    page = cast.client("district_b_officer").get("/console/benefits/partners/").content.decode()
    assert shop.name not in page


def test_it_refuses_an_over_long_description_instead_of_cutting_it(cast: Cast) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as refused:
        partners.partner_create(
            actor=cast.district_a_officer, union=cast.district_a, name="长介绍药房", category=PartnerCategory.MEDICAL,
            address="甲区东街1号", latitude=36.6, longitude=101.7, discount="9折", description="介" * 2001,
            contract_start=today, contract_end=today + timedelta(days=30))
    assert refused.value.detail == {"description": "不能超过2000个字"}
    assert not Partner.objects.filter(name="长介绍药房").exists()
