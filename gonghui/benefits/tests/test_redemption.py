"""核销: the partner redeems a coupon exactly once (page and API), only coupons its campaigns accept,
a same-day reversal with a reason, and the reconciliation (page, API, Excel)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.benefits.models import Campaign, Coupon, CouponEvent, CouponStatus, PartnerCategory
from gonghui.benefits.services import campaigns, partners, redemption
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.testing import Cast

from .conftest import JSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def rider_coupon(make_campaign: Callable, launch: Callable) -> Coupon:
    campaign = launch(make_campaign(rule={"employment_form": "gig"}))
    return Coupon.objects.select_related("campaign", "member").get(campaign=campaign)


def test_it_redeems_an_auto_issued_coupon_once_at_the_counter(cast: Cast, shop, rider_coupon: Coupon) -> None:
    counter = cast.client("merchant")
    page = counter.get("/benefits/merchant/")
    assert page.status_code == 200 and "甲区康民大药房" in page.content.decode()
    typed = " ".join(rider_coupon.code[i:i + 4] for i in range(0, 16, 4)).lower()  # as a cashier types it
    checked = counter.get("/benefits/merchant/check/", {"code": typed}).content.decode()
    assert "夏送清凉券" in checked and "李**" in checked and "确认核销" in checked
    done = counter.post("/benefits/merchant/redeem/", {"code": typed, "bill_yuan": "35.50"})
    assert done.status_code == 200 and "核销成功" in done.content.decode()
    assert "会员实付 15.50 元" in done.content.decode()
    coupon = Coupon.objects.get(pk=rider_coupon.pk)
    assert coupon.status == CouponStatus.REDEEMED and coupon.redeemed_partner == shop
    assert coupon.bill_cents == 3550 and coupon.discount_cents == 2000 and coupon.redeemed_by == cast.merchant
    again = counter.post("/benefits/merchant/redeem/", {"code": rider_coupon.code})
    assert again.status_code == 409 and "不能重复使用" in again.content.decode()
    campaign = Campaign.objects.get(pk=coupon.campaign_id)
    assert campaign.redeemed_count == 1 and campaign.redeemed_cents == 2000
    assert Notification.objects.filter(recipient=cast.gig_worker_a, title="您的「夏送清凉券」已核销").exists()
    assert AuditLog.objects.filter(action="coupon.redeem", object_key=str(coupon.uuid)).count() == 1
    # the rider's page says it is used
    mine = cast.client("gig_worker_a").get(f"/benefits/coupons/{coupon.uuid}/").content.decode()
    assert "已使用" in mine and 'class="qr"' not in mine  # no QR code (the tab bar draws svg icons)


def test_it_redeems_through_the_api(cast: Cast, shop, rider_coupon: Coupon) -> None:
    api = cast.client("merchant", api=True)
    check = api.get(f"/api/v1/benefits/merchant/coupons/{rider_coupon.code}").json()
    assert check["usable"] is True and check["holder"] == "李**"
    done = api.post("/api/v1/benefits/merchant/redeem", {"code": rider_coupon.code}, content_type=JSON)
    assert done.status_code == 200 and done.json()["discount_cents"] == 2000 and done.json()["status"] == "redeemed"
    twice = api.post("/api/v1/benefits/merchant/redeem", {"code": rider_coupon.code}, content_type=JSON)
    assert twice.status_code == 409 and twice.json()["code"] == "already_redeemed"
    assert [c["code"] for c in api.get("/api/v1/benefits/merchant/today").json()] == [rider_coupon.code]
    unknown = api.post("/api/v1/benefits/merchant/redeem", {"code": "0" * 16}, content_type=JSON)
    assert unknown.status_code == 404 and unknown.json()["code"] == "invalid_code"
    # people who don't work for a partner can't use the counter at all
    for actor in ("worker_a", "district_a_officer"):
        assert cast.client(actor, api=True).post("/api/v1/benefits/merchant/redeem", {"code": rider_coupon.code},
                                                 content_type=JSON).status_code == 403
        assert cast.client(actor).get("/benefits/merchant/").status_code == 403
    assert cast.client(None, api=True).get("/api/v1/benefits/merchant/today").status_code == 401


def test_it_refuses_partners_the_campaign_does_not_accept(cast: Cast, rider_coupon: Coupon) -> None:
    today = timezone.localdate()
    other = partners.partner_create(actor=None, union=cast.district_a, name="别家餐馆",
                                    category=PartnerCategory.CATERING, address="甲区西街1号", discount="9折",
                                    contract_start=today, contract_end=today + timedelta(days=10))
    with pytest.raises(Forbidden, match="不能在本商户使用"):
        redemption.coupon_redeem(actor=None, partner=other, code=rider_coupon.code)
    partners.partner_set_status(actor=None, partner=other, status="suspended")
    other.campaigns.add(rider_coupon.campaign)
    with pytest.raises(Forbidden, match="合作已暂停"):
        redemption.coupon_redeem(actor=None, partner=other, code=rider_coupon.code)
    assert Coupon.objects.get(pk=rider_coupon.pk).status == CouponStatus.ISSUED


def test_it_computes_discounts_and_thresholds(cast: Cast, shop, make_campaign: Callable, launch: Callable) -> None:
    discount = launch(make_campaign(name="八五折券", coupon_type="discount", face_cents=None, pay_percent=85,
                                    max_discount_cents=3000, rule={"employment_form": "gig"}))
    coupon = Coupon.objects.get(campaign=discount)
    with pytest.raises(ValidationFailed, match="折扣券请填写消费金额"):
        redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)
    done = redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code, bill_cents=10_000)
    assert done.discount_cents == 1500  # 15% of 100 元
    capped = launch(make_campaign(name="满减券", face_cents=5000, min_spend_cents=20_000, budget_cents=500_000,
                                  rule={"employment_form": "gig"}))
    big = Coupon.objects.get(campaign=capped)
    with pytest.raises(ValidationFailed, match="满200元可用"):
        redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=big.code, bill_cents=19_999)
    assert redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=big.code,
                                    bill_cents=20_000).discount_cents == 5000


def test_it_refuses_expired_and_not_yet_valid_coupons(cast: Cast, shop, make_campaign: Callable,
                                                       launch: Callable) -> None:
    today = timezone.localdate()
    early = launch(make_campaign(kind="claim", starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=9)))
    coupon = Coupon.objects.create(campaign=early, member=cast.members["worker_a"], via="claim",
                                   rule_version=early.rule_version)
    with pytest.raises(Conflict, match="起可用"):
        redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)
    campaigns.campaign_close(actor=None, campaign=early)
    with pytest.raises(Conflict, match="已过期"):
        redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)


def test_it_reverses_a_redemption_the_same_day_with_a_reason(cast: Cast, shop, rider_coupon: Coupon) -> None:
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=rider_coupon.code)
    counter = cast.client("merchant")
    empty = counter.post(f"/benefits/merchant/coupons/{rider_coupon.uuid}/reverse/", {"reason": " "})
    assert empty.status_code == 200 and "请填写撤销原因" in empty.content.decode()
    done = counter.post(f"/benefits/merchant/coupons/{rider_coupon.uuid}/reverse/", {"reason": "顾客退货"})
    assert done.status_code == 200 and "已撤销核销" in done.content.decode()
    coupon = Coupon.objects.get(pk=rider_coupon.pk)
    assert coupon.status == CouponStatus.ISSUED and coupon.redeemed_partner is None
    assert list(CouponEvent.objects.filter(coupon=coupon).values_list("kind", "reason")) == [
        ("redeem", ""), ("reverse", "顾客退货")]
    campaign = Campaign.objects.get(pk=coupon.campaign_id)
    assert campaign.redeemed_count == 0 and campaign.redeemed_cents == 0
    # redeemed again, then yesterday's redemption can no longer be reversed
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)
    Coupon.objects.filter(pk=coupon.pk).update(redeemed_at=timezone.now() - timedelta(days=1))
    coupon = Coupon.objects.select_related("campaign__union", "member", "redeemed_partner").get(pk=coupon.pk)
    with pytest.raises(Conflict, match="只能撤销当天的核销"):
        redemption.coupon_reverse(actor=cast.merchant, coupon=coupon, partner=shop, reason="晚了")
    # another partner's staff may not reverse it, the campaign union's officer may (same day)
    Coupon.objects.filter(pk=coupon.pk).update(redeemed_at=timezone.now())
    coupon = Coupon.objects.select_related("campaign__union", "member", "redeemed_partner").get(pk=coupon.pk)
    with pytest.raises(Forbidden):
        redemption.coupon_reverse(actor=cast.worker_a, coupon=coupon, reason="无权")
    reversed_ = cast.client("district_a_officer", api=True).post(
        f"/api/v1/benefits/coupons/{coupon.uuid}/reverse", {"reason": "商户误操作"}, content_type=JSON)
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "issued"
    assert cast.client("district_a_viewer", api=True).post(
        f"/api/v1/benefits/coupons/{coupon.uuid}/reverse", {"reason": "x"}, content_type=JSON).status_code == 403


def test_it_reconciles_per_partner_and_campaign_and_exports_excel(cast: Cast, shop, rider_coupon: Coupon) -> None:
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=rider_coupon.code, bill_cents=4200)
    officer = cast.client("district_a_officer")
    page = officer.get("/console/benefits/reconciliation/").content.decode()
    assert "甲区康民大药房" in page and "夏送清凉券" in page and "42" in page
    rows = cast.client("district_a_officer", api=True).get("/api/v1/benefits/reconciliation").json()
    assert rows == [{"partner_uuid": str(shop.uuid), "partner": "甲区康民大药房",
                     "campaign_uuid": str(rider_coupon.campaign.uuid), "campaign": "夏送清凉券", "union": "甲区总工会",
                     "count": 1, "bill_cents": 4200, "discount_cents": 2000}]
    export = officer.get("/console/benefits/reconciliation.xlsx", {"campaign": str(rider_coupon.campaign.uuid)})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    summary = list(book["对账汇总"].iter_rows(values_only=True))
    assert summary[1] == ("甲区康民大药房", "夏送清凉券", "甲区总工会", 1, 42.0, 20.0)
    detail = list(book["核销明细"].iter_rows(values_only=True))
    assert detail[1][1] == rider_coupon.code and detail[1][5] == "李**"
    assert AuditLog.objects.filter(action="export.benefits_reconciliation").count() == 1
    # district B sees none of it
    assert cast.client("district_b_officer", api=True).get("/api/v1/benefits/reconciliation").json() == []


def test_it_lets_the_partner_check_member_cards(cast: Cast, shop) -> None:
    token = cast.members["worker_a"].card_token
    page = cast.client("merchant").get("/benefits/merchant/card/", {"token": token}).content.decode()
    assert "有效会员" in page and "王**" in page
    api = cast.client("merchant", api=True).get(f"/api/v1/benefits/merchant/card/{token}").json()
    assert api["valid"] is True and api["name"] == "王**"
    assert AuditLog.objects.filter(action="card.scan", user=cast.merchant).count() == 2
    assert cast.client("worker_b", api=True).get(f"/api/v1/benefits/merchant/card/{token}").status_code == 403


def test_it_says_why_a_code_cannot_be_found(cast: Cast, shop) -> None:
    with pytest.raises(NotFound):
        redemption.coupon_redeem(actor=cast.merchant, partner=shop, code="not a code")
