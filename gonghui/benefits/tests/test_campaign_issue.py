"""免申即享: launching issues one coupon to every eligible member set-based, within the budget, in
member order, recording the rule; the periodic job gives newly eligible members theirs; staff watch
the numbers; the same through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.benefits.models import Campaign, CampaignStatus, Coupon, CouponVia, IssueRun, IssueTrigger, RuleVersion
from gonghui.benefits.services import campaigns
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.testing import Cast

from .conftest import JSON, new_member

pytestmark = pytest.mark.django_db

GIG_RULE = {"employment_form": "gig"}


def test_it_issues_to_every_eligible_member_on_launch(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = make_campaign(rule=GIG_RULE)
    assert campaign.status == CampaignStatus.DRAFT and Coupon.objects.count() == 0
    campaign = launch(campaign)

    assert campaign.status == CampaignStatus.ACTIVE
    coupons = list(Coupon.objects.filter(campaign=campaign).select_related("member", "rule_version"))
    assert [c.member for c in coupons] == [cast.members["gig_worker_a"]]
    coupon = coupons[0]
    assert coupon.via == CouponVia.AUTO and coupon.seq == 1 and len(coupon.code) == 16
    assert coupon.rule_version.rule == {"employment_form": "gig"}
    assert "新就业形态劳动者" in coupon.rule_version.summary and "甲区总工会" in coupon.rule_version.summary
    assert campaign.issued_count == 1 and campaign.issued_cents == 2000
    run = IssueRun.objects.get(campaign=campaign)
    assert run.trigger == IssueTrigger.LAUNCH and run.issued == 1 and coupon.issue_run == run
    # the rider is told, with the reason, in the inbox
    note = Notification.objects.get(recipient=cast.gig_worker_a)
    assert note.title == "您获得一张「夏送清凉券」" and note.url == "/benefits/coupons/"
    assert "新就业形态劳动者" in note.body
    actions = set(AuditLog.objects.filter(object_key=str(campaign.uuid)).values_list("action", flat=True))
    assert {"campaign.create", "campaign.launch", "campaign.issue"} <= actions


def test_it_stays_inside_the_campaign_unions_subtree(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    new_member(cast.grassroots_b, employment_form="gig", gig_occupation="courier")  # district B: not ours
    campaign = launch(make_campaign(rule=GIG_RULE))
    assert list(Coupon.objects.filter(campaign=campaign).values_list("member", flat=True)) == [
        cast.members["gig_worker_a"].pk]


def test_it_never_passes_the_budget_and_goes_in_member_order(cast: Cast, make_campaign: Callable,
                                                              launch: Callable) -> None:
    extra = [new_member(cast.district_a, employment_form="gig", gig_occupation="courier") for _ in range(3)]
    # 4 eligible, budget 2 by count
    by_count = launch(make_campaign(rule=GIG_RULE, budget_count=2))
    holders = list(Coupon.objects.filter(campaign=by_count).order_by("member_id").values_list("member_id", flat=True))
    assert holders == sorted([cast.members["gig_worker_a"].pk, *[m.pk for m in extra]])[:2]
    run = IssueRun.objects.get(campaign=by_count)
    assert run.issued == 2 and run.eligible_left == 2
    # budget 3 by amount (3 × 20 元 = 60 元)
    by_amount = launch(make_campaign(name="第二批", rule=GIG_RULE, budget_cents=6500))
    assert Coupon.objects.filter(campaign=by_amount).count() == 3
    by_amount.refresh_from_db()
    assert by_amount.issued_cents == 6000 and by_amount.remaining_count == 0
    # running again issues nothing more
    assert campaigns.campaign_issue(campaign=by_amount) is None
    assert Coupon.objects.filter(campaign=by_amount).count() == 3


def test_it_gives_newly_eligible_members_theirs_in_the_periodic_job(cast: Cast, make_campaign: Callable,
                                                                     launch: Callable) -> None:
    campaign = launch(make_campaign(rule=GIG_RULE))
    late = new_member(cast.grassroots_a, with_user=True, employment_form="gig", gig_occupation="ride_hailing")
    assert campaigns.issue_pending() == 1
    assert campaigns.issue_pending() == 0  # idempotent
    coupon = Coupon.objects.get(campaign=campaign, member=late)
    assert coupon.issue_run.trigger == IssueTrigger.PERIODIC
    assert Notification.objects.filter(recipient=late.user, title__contains="夏送清凉券").count() == 1
    # the management command is the same job
    new_member(cast.district_a, employment_form="gig", gig_occupation="truck")
    call_command("benefits_issue", stdout=open("/dev/null", "w"))
    assert Coupon.objects.filter(campaign=campaign).count() == 3


def test_it_issues_nothing_before_the_start_and_ends_campaigns_after_the_end(cast: Cast, make_campaign: Callable,
                                                                              launch: Callable) -> None:
    today = timezone.localdate()
    later = launch(make_campaign(rule=GIG_RULE, starts_on=today + timedelta(days=3),
                                 ends_on=today + timedelta(days=10)))
    assert Coupon.objects.filter(campaign=later).count() == 0
    assert campaigns.issue_pending(on=today + timedelta(days=3)) == 1
    assert campaigns.issue_pending(on=today + timedelta(days=11)) == 0
    later.refresh_from_db()
    assert later.status == CampaignStatus.ENDED


def test_it_freezes_the_campaign_at_launch(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(rule=GIG_RULE))
    with pytest.raises(Conflict):
        campaigns.campaign_update(actor=cast.district_a_officer, campaign=campaign, **{
            "name": "改名", "kind": "auto", "face_cents": 1, "budget_count": 1, "budget_cents": 1,
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on})
    with pytest.raises(Conflict):
        campaigns.campaign_launch(actor=cast.district_a_officer, campaign=campaign)
    assert RuleVersion.objects.filter(campaign=campaign).count() == 1


def test_it_checks_a_campaign_before_saving_it(cast: Cast, make_campaign: Callable) -> None:
    with pytest.raises(ValidationFailed, match="免申即享每人发放一张"):
        make_campaign(per_member_limit=2)
    with pytest.raises(ValidationFailed, match="预算金额不足一张券"):
        make_campaign(budget_cents=1000)
    with pytest.raises(ValidationFailed, match="工会范围只能是甲区总工会及其下级工会"):
        make_campaign(rule={"unions": [str(cast.district_b.uuid)]})
    with pytest.raises(ValidationFailed, match="截止日期不能早于开始日期"):
        make_campaign(ends_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="请填写折扣"):
        make_campaign(coupon_type="discount", max_discount_cents=500)
    campaign = make_campaign(partners_=[])
    with pytest.raises(ValidationFailed, match="请至少选择一家适用商户"):
        campaigns.campaign_launch(actor=cast.district_a_officer, campaign=campaign)


def test_it_closes_a_campaign_and_its_coupons_expire(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(rule=GIG_RULE))
    campaigns.campaign_close(actor=cast.district_a_officer, campaign=campaign, reason="预算调整")
    coupon = Coupon.objects.select_related("campaign").get(campaign=campaign)
    assert coupon.state_label == "已过期"
    with pytest.raises(Conflict):
        campaigns.campaign_close(actor=cast.district_a_officer, campaign=campaign)


def test_it_composes_previews_launches_and_watches_through_the_api(cast: Cast, shop, django_capture_on_commit_callbacks) -> None:  # noqa: E501
    officer = cast.client("district_a_officer", api=True)
    today = timezone.localdate()
    rule = {"employment_form": "gig", "gig_occupations": ["food_delivery"]}
    preview = officer.post("/api/v1/benefits/rules/preview", {"union": str(cast.district_a.uuid), "rule": rule},
                           content_type=JSON)
    assert preview.status_code == 200, preview.content
    assert preview.json()["count"] == 1 and "外卖送餐员" in preview.json()["summary"]
    created = officer.post("/api/v1/benefits/campaigns", {
        "union": str(cast.district_a.uuid), "name": "骑手清凉券", "kind": "auto", "face_cents": 3000,
        "budget_count": 1000, "budget_cents": 3_000_000, "starts_on": str(today),
        "ends_on": str(today + timedelta(days=10)), "partners": [str(shop.uuid)], "rule": rule}, content_type=JSON)
    assert created.status_code == 201, created.content
    key = created.json()["uuid"]
    assert created.json()["status"] == "draft" and created.json()["partners"] == [str(shop.uuid)]
    with django_capture_on_commit_callbacks(execute=True):
        launched = officer.post(f"/api/v1/benefits/campaigns/{key}/launch", content_type=JSON)
    assert launched.status_code == 200, launched.content
    assert launched.json()["rule_version"]["number"] == 1
    counts = officer.get(f"/api/v1/benefits/campaigns/{key}/counts").json()
    assert counts["issued_count"] == 1 and counts["issued_cents"] == 3000 and counts["redeemed_count"] == 0
    # the rider sees it on the phone, with the answer to "why did I get this?"
    mine = cast.client("gig_worker_a", api=True).get("/api/v1/benefits/coupons/mine").json()
    assert mine["count"] == 1
    item = mine["items"][0]
    assert item["campaign_name"] == "骑手清凉券" and item["via"] == "auto" and item["state_label"] == "可使用"
    assert item["why"].startswith("免申即享") and "外卖送餐员" in item["why"]
    runs = officer.get(f"/api/v1/benefits/campaigns/{key}/runs").json()
    assert [r["issued"] for r in runs] == [1]
    # viewers see but cannot launch or close
    viewer = cast.client("district_a_viewer", api=True)
    assert viewer.get(f"/api/v1/benefits/campaigns/{key}").status_code == 200
    assert viewer.post(f"/api/v1/benefits/campaigns/{key}/close", {}, content_type=JSON).status_code == 403
    assert Campaign.objects.get(uuid=key).status == CampaignStatus.ACTIVE
