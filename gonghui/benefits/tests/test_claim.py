"""抢券: members claim while stock lasts, under the per-member limit, only when the rule selects them —
on the H5 page and through the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gonghui.benefits.models import Campaign, Coupon, CouponVia
from gonghui.benefits.services import campaigns
from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.models import AuditLog
from gonghui.testing import Cast

from .conftest import JSON, new_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_claim(make_campaign: Callable, launch: Callable) -> Callable[..., Campaign]:
    def make(**overrides: object) -> Campaign:
        return launch(make_campaign(**{"name": "文化消费券", "kind": "claim", **overrides}))
    return make


def test_it_lets_a_member_claim_on_the_phone(cast: Cast, open_claim: Callable) -> None:
    campaign = open_claim(per_member_limit=2)
    worker = cast.client("worker_a")
    center = worker.get("/benefits/")
    assert center.status_code == 200
    assert "文化消费券" in center.content.decode() and "立即领取" in center.content.decode()
    response = worker.post(f"/benefits/campaigns/{campaign.uuid}/claim/")
    coupon = Coupon.objects.get(campaign=campaign, member=cast.members["worker_a"])
    assert response.status_code == 302 and response["Location"] == f"/benefits/coupons/{coupon.uuid}/"
    assert coupon.via == CouponVia.CLAIM and coupon.seq == 1 and coupon.rule_version == campaign.rule_version
    page = worker.get(response["Location"]).content.decode()
    assert coupon.code_display in page and "<svg" in page and "领取时符合以下条件" in page
    worker.post(f"/benefits/campaigns/{campaign.uuid}/claim/")
    third = worker.post(f"/benefits/campaigns/{campaign.uuid}/claim/", follow=True)
    assert "每人限领2张，您已领取" in third.content.decode()
    assert list(Coupon.objects.filter(campaign=campaign).order_by("seq").values_list("seq", flat=True)) == [1, 2]
    campaign.refresh_from_db()
    assert campaign.issued_count == 2 and campaign.issued_cents == 4000
    assert AuditLog.objects.filter(action="coupon.claim").count() == 2


def test_it_stops_at_the_budget(cast: Cast, open_claim: Callable) -> None:
    campaign = open_claim(budget_count=1)
    campaigns.coupon_claim(actor=cast.worker_a, campaign=campaign, member=cast.members["worker_a"])
    with pytest.raises(Conflict, match="券已被领完") as exc:
        campaigns.coupon_claim(actor=cast.provider, campaign=campaign, member=cast.members["provider"])
    assert exc.value.code == "sold_out"
    campaign.refresh_from_db()
    assert campaign.issued_count == 1 and Coupon.objects.filter(campaign=campaign).count() == 1


def test_it_refuses_members_the_rule_leaves_out(cast: Cast, open_claim: Callable) -> None:
    campaign = open_claim(rule={"model_worker_levels": ["national"]})
    with pytest.raises(Forbidden, match="劳模"):
        campaigns.coupon_claim(actor=cast.worker_a, campaign=campaign, member=cast.members["worker_a"])
    campaigns.coupon_claim(actor=cast.provider, campaign=campaign, member=cast.members["provider"])
    # a member of another branch: the campaign's union bounds the rule
    with pytest.raises(Forbidden):
        campaigns.coupon_claim(actor=cast.worker_b, campaign=campaign, member=cast.members["worker_b"])
    # and the H5 list shows the campaign only to those it is for
    assert "文化消费券" not in cast.client("worker_a").get("/benefits/").content.decode()


def test_it_does_not_claim_an_auto_campaign_or_a_draft(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    auto = launch(make_campaign())
    with pytest.raises(Conflict, match="无需领取"):
        campaigns.coupon_claim(actor=cast.worker_a, campaign=auto, member=cast.members["worker_a"])
    draft = make_campaign(kind="claim", name="草稿")
    assert cast.client("worker_a").post(f"/benefits/campaigns/{draft.uuid}/claim/").status_code == 404


def test_it_claims_through_the_api(cast: Cast, open_claim: Callable) -> None:
    campaign = open_claim(rule={"age_max": 40})  # worker_a (1990) yes, provider (1975) no
    worker = cast.client("worker_a", api=True)
    offers = worker.get("/api/v1/benefits/campaigns/claimable").json()
    assert [(o["name"], o["can_claim"], o["held"]) for o in offers] == [("文化消费券", True, 0)]
    assert cast.client("provider", api=True).get("/api/v1/benefits/campaigns/claimable").json() == []
    claimed = worker.post(f"/api/v1/benefits/campaigns/{campaign.uuid}/claim", content_type=JSON)
    assert claimed.status_code == 201, claimed.content
    assert claimed.json()["via"] == "claim" and claimed.json()["state_label"] == "可使用"
    again = worker.post(f"/api/v1/benefits/campaigns/{campaign.uuid}/claim", content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "limit_reached"
    refused = cast.client("provider", api=True).post(f"/api/v1/benefits/campaigns/{campaign.uuid}/claim",
                                                       content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "not_eligible"
    # not a member at all
    stranger = cast.client("merchant", api=True).post(f"/api/v1/benefits/campaigns/{campaign.uuid}/claim",
                                                        content_type=JSON)
    assert stranger.status_code == 404
    assert cast.client(None, api=True).post(f"/api/v1/benefits/campaigns/{campaign.uuid}/claim",
                                           content_type=JSON).status_code == 401


def test_it_shows_my_coupons_by_state(cast: Cast, open_claim: Callable) -> None:
    campaign = open_claim()
    other = new_member(cast.district_a, with_user=True)
    campaigns.coupon_claim(actor=other.user, campaign=campaign, member=other)
    mine = cast.client("worker_a").get("/benefits/coupons/")
    assert mine.status_code == 200 and "暂无可使用的券" in mine.content.decode()
    campaigns.coupon_claim(actor=cast.worker_a, campaign=campaign, member=cast.members["worker_a"])
    page = cast.client("worker_a").get("/benefits/coupons/").content.decode()
    assert "文化消费券" in page and "可使用 1" in page
    # someone else's coupon is a 404, exactly as a missing one
    theirs = Coupon.objects.get(member=other)
    assert cast.client("worker_a").get(f"/benefits/coupons/{theirs.uuid}/").status_code == 404
    assert cast.client("worker_a", api=True).get(f"/api/v1/benefits/coupons/{theirs.uuid}").status_code == 404
