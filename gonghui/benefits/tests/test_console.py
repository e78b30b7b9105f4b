"""The staff journey in the console: compose a campaign with the rule editor, preview the count,
launch it, watch the numbers; 惠及人次 by union; list pages with a pinned number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.benefits.models import Campaign, CampaignStatus, Coupon
from gonghui.benefits.selectors import people_served
from gonghui.benefits.services import campaigns, redemption
from gonghui.benefits.services.partners import partner_create
from gonghui.testing import Cast

from .conftest import new_member

pytestmark = pytest.mark.django_db


def form(cast: Cast, shop, **extra: object) -> dict[str, object]:
    today = timezone.localdate()
    return {"union": str(cast.district_a.uuid), "name": "女职工健康体检券", "kind": "claim", "coupon_type": "amount",
            "face_yuan": "150", "budget_count": "50", "budget_yuan": "7500", "per_member_limit": "1",
            "starts_on": str(today), "ends_on": str(today + timedelta(days=60)), "partners": [str(shop.uuid)],
            "women_only": "on", "age_min": "30", "rule_unions": [str(cast.grassroots_a.uuid)], **extra}


def test_it_composes_previews_launches_and_watches(cast: Cast, shop, django_capture_on_commit_callbacks) -> None:
    woman = new_member(cast.grassroots_a, with_user=True)
    woman.gender, woman.birth_date = "F", timezone.localdate().replace(year=timezone.localdate().year - 35)
    woman.save(update_fields=["gender", "birth_date"])
    new_member(cast.district_b, with_user=True)  # outside the union: never counted
    officer = cast.client("district_a_officer")

    page = officer.get("/console/benefits/campaigns/new/", {"union": str(cast.district_a.uuid)})
    text = page.content.decode()
    assert page.status_code == 200 and "甲区康民大药房" in text and "预览人数" in text and "甲公司工会" in text
    preview = officer.post("/console/benefits/rule-preview/", form(cast, shop), HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert "共有 <b" in preview.content.decode() and ">1</b> 名会员符合条件" in preview.content.decode()
    assert "女职工" in preview.content.decode() and "年龄30周岁及以上" in preview.content.decode()
    bad = officer.post("/console/benefits/rule-preview/", form(cast, shop, age_min="50", age_max="40"))
    assert "最大年龄不能小于最小年龄" in bad.content.decode()

    created = officer.post("/console/benefits/campaigns/new/", form(cast, shop))
    assert created.status_code == 302, created.content.decode()[:3000]
    campaign = Campaign.objects.get(name="女职工健康体检券")
    assert campaign.status == CampaignStatus.DRAFT and campaign.face_cents == 15000
    assert campaign.rule == {"unions": [str(cast.grassroots_a.uuid)], "women_only": True, "age_min": 30}
    detail = officer.get(created["Location"]).content.decode()
    assert "共有 <b>1</b> 名会员符合条件" in detail and "发布" in detail

    edited = officer.post(f"/console/benefits/campaigns/{campaign.uuid}/edit/", form(cast, shop, face_yuan="120"))
    assert edited.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        launched = officer.post(f"/console/benefits/campaigns/{campaign.uuid}/launch/", follow=True)
    assert "已发布" in launched.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE and campaign.face_cents == 12000
    assert campaign.rule_version.summary == "甲公司工会及其下级工会的会员；女职工；年龄30周岁及以上"

    coupon = campaigns.coupon_claim(actor=woman.user, campaign=campaign, member=woman)
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)
    counts = officer.get(f"/console/benefits/campaigns/{campaign.uuid}/counts/", HTTP_HX_REQUEST="true")
    text = counts.content.decode()
    assert "<b>1</b><span>已发放 / 预算 50 张" in text and "<b>120</b><span>预算使用（元）/ 7500 元" in text
    assert "核销率 100%" in text and 'hx-trigger="every 5s"' in text
    # an edit after launch is refused
    late = officer.get(f"/console/benefits/campaigns/{campaign.uuid}/edit/", follow=True)
    assert "活动发布后不能再修改" in late.content.decode()


def test_it_counts_people_served_by_union(cast: Cast, shop, make_campaign: Callable, launch: Callable) -> None:
    for _ in range(2):
        new_member(cast.street_a, employment_form="gig", gig_occupation="courier")
    campaign = launch(make_campaign(union=cast.city, rule={"employment_form": "gig"}))
    new_member(cast.grassroots_b, employment_form="gig", gig_occupation="courier")
    campaigns.campaign_issue(campaign=campaign)
    assert Coupon.objects.filter(campaign=campaign).count() == 4
    street_coupon = Coupon.objects.filter(campaign=campaign, member__union=cast.street_a).first()
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=street_coupon.code)

    city = people_served(cast.city_officer, cast.city)
    rows = {r["union"].name: (r["issued"], r["redeemed"], r["people"], r["cents"]) for r in city["rows"]}
    assert rows == {"甲区总工会": (3, 1, 1, 2000), "乙区总工会": (1, 0, 0, 0)}
    assert city["total"]["issued"] == 4 and city["total"]["redeemed"] == 1
    # district A's officer sees district A only, as the top row
    mine = people_served(cast.district_a_officer)
    assert [(r["union"].name, r["issued"]) for r in mine["rows"]] == [("甲区总工会", 3)]
    drill = people_served(cast.district_a_officer, cast.district_a)
    assert drill["own"]["issued"] == 1  # the rider is a direct member of district A
    assert [(r["union"].name, r["issued"], r["redeemed"]) for r in drill["rows"]] == [("甲区东街道总工会", 2, 1)]
    page = cast.client("city_officer").get("/console/benefits/", {"union": str(cast.city.uuid)}).content.decode()
    assert "惠及人次" in page and "甲区总工会" in page and "乙区总工会" in page
    api = cast.client("district_b_officer", api=True).get("/api/v1/benefits/stats").json()
    assert api == [{"union": str(cast.district_b.uuid), "union_name": "乙区总工会", "issued": 1, "redeemed": 0,
                    "people": 0, "discount_cents": 0}]


def test_it_pins_the_queries_of_the_list_pages(cast: Cast, shop, make_campaign: Callable, launch: Callable) -> None:
    officer = cast.client("district_a_officer")
    officer.get("/console/benefits/campaigns/")  # warm the session and the scope
    counts = []
    for _ in range(2):
        for i in range(3):
            launch(make_campaign(name=f"活动{len(counts)}-{i}", kind="claim"))
        with CaptureQueriesContext(connection) as queries:
            assert officer.get("/console/benefits/campaigns/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts  # three more campaigns, not one query more
    partner_counts = []
    for n in range(2):
        today = timezone.localdate()
        partner_create(actor=None, union=cast.district_a, name=f"商户{n}", category="daily", address="甲区",
                       discount="9折", contract_start=today, contract_end=today)
        with CaptureQueriesContext(connection) as queries:
            assert officer.get("/console/benefits/partners/").status_code == 200
        partner_counts.append(len(queries))
    assert partner_counts[0] == partner_counts[1], partner_counts


def test_it_renders_every_worker_page(cast: Cast, shop, make_campaign: Callable, launch: Callable) -> None:
    launch(make_campaign(rule={"employment_form": "gig"}))
    launch(make_campaign(name="抢购券", kind="claim"))
    rider = cast.client("gig_worker_a")
    coupon = Coupon.objects.get(member=cast.members["gig_worker_a"])
    for url in ("/benefits/", "/benefits/coupons/", "/benefits/coupons/?tab=used", "/benefits/coupons/?tab=expired",
                f"/benefits/coupons/{coupon.uuid}/", "/benefits/partners/", f"/benefits/partners/{shop.uuid}/",
                "/benefits/lotteries/"):
        response = rider.get(url)
        assert response.status_code == 200, url
    home = rider.get("/").content.decode()
    assert "领券" in home and "服务圈" in home
    me = rider.get("/me/").content.decode()
    assert "我的券" in me and "抽奖结果" in me
    state = rider.get(f"/benefits/coupons/{coupon.uuid}/state/", HTTP_HX_REQUEST="true")
    assert state.status_code == 200 and "HX-Refresh" not in state
    redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)
    assert rider.get(f"/benefits/coupons/{coupon.uuid}/state/", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    # the merchant is pointed to the counter from the coupon centre
    assert "商户核销" in cast.client("merchant").get("/benefits/").content.decode()
    # a non-member is invited to join
    assert "申请入会" in cast.client("merchant").get("/benefits/coupons/").content.decode()
