"""Concurrency on PostgreSQL with real threads and connections: claims never pass the budget or the
per-member limit, a coupon scanned at the same moment by several tills is redeemed once, issuance runs
racing each other hand out one coupon per member — and the negative controls: what a naive
read-then-write does under the same load, and the database constraints refusing it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.benefits.models import Campaign, Coupon, CouponEvent, CouponStatus, Partner
from gonghui.benefits.services import campaigns, redemption
from gonghui.core.errors import Conflict
from gonghui.members.models import Member
from gonghui.testing import Cast, threaded

from .conftest import new_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def outcome(result: Any) -> str:
    if isinstance(result, Conflict):
        return result.code
    return "ok" if isinstance(result, Coupon) else repr(result)


def fresh(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_related("union", "rule_version").get(pk=campaign.pk)


def claim_at_once(campaign: Campaign, members: Sequence[Member]) -> list[Any]:
    """A thread per entry of ``members`` claims ``campaign`` for that member, each having read the
    campaign before they are all released together: the results (a Coupon or the error), in order."""
    def claim(i: int, barrier: threading.Barrier) -> Any:
        target = fresh(campaign)
        barrier.wait()
        return campaigns.coupon_claim(actor=None, campaign=target, member=members[i])

    return threaded(len(members), claim)


def test_it_never_passes_the_budget(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(kind="claim", budget_count=10))
    members = [new_member(cast.district_a) for _ in range(40)]

    results = claim_at_once(campaign, members)
    assert Counter(map(outcome, results)) == {"ok": 10, "sold_out": 30}, results
    after = fresh(campaign)
    assert after.issued_count == 10 == Coupon.objects.filter(campaign=campaign).count()
    assert after.issued_cents == 10 * 2000


def test_it_holds_the_amount_budget_too(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(kind="claim", budget_count=1000, budget_cents=7 * 2000 + 1999))
    members = [new_member(cast.district_a) for _ in range(20)]

    results = claim_at_once(campaign, members)
    assert Counter(map(outcome, results)) == {"ok": 7, "sold_out": 13}
    assert fresh(campaign).issued_cents == 14_000


def test_it_never_passes_the_per_member_limit(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(kind="claim", per_member_limit=2))
    member = new_member(cast.district_a)

    results = claim_at_once(campaign, [member] * 12)
    counts = Counter(map(outcome, results))
    assert counts["ok"] <= 2 and set(counts) <= {"ok", "limit_reached"}, results
    assert Coupon.objects.filter(campaign=campaign, member=member).count() == counts["ok"]
    # whoever lost a race can claim again up to the limit, never past it
    for _ in range(3):
        try:
            campaigns.coupon_claim(actor=None, campaign=fresh(campaign), member=member)
        except Conflict:
            pass
    assert Coupon.objects.filter(campaign=campaign, member=member).count() == 2
    assert fresh(campaign).issued_count == 2  # a lost race gave its budget back


def test_it_redeems_a_coupon_scanned_twice_at_once_exactly_once(cast: Cast, shop: Partner, make_campaign: Callable,
                                                                  launch: Callable) -> None:
    campaign = launch(make_campaign(rule={"employment_form": "gig"}))
    coupon = Coupon.objects.get(campaign=campaign)

    def scan(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return redemption.coupon_redeem(actor=cast.merchant, partner=shop, code=coupon.code)

    results = threaded(10, scan)
    assert Counter(map(outcome, results)) == {"ok": 1, "already_redeemed": 9}, results
    assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.REDEEMED
    assert CouponEvent.objects.filter(coupon=coupon).count() == 1
    assert fresh(campaign).redeemed_count == 1 and fresh(campaign).redeemed_cents == 2000


def test_negative_control_a_naive_redemption_redeems_twice(cast: Cast, shop: Partner, make_campaign: Callable,
                                                           launch: Callable) -> None:
    """Read the status, then write without the guard: both tills "succeed" — the bug the guard prevents."""
    campaign = launch(make_campaign(rule={"employment_form": "gig"}))
    coupon = Coupon.objects.get(campaign=campaign)

    def naive(i: int, barrier: threading.Barrier) -> str:
        with transaction.atomic():
            current = Coupon.objects.get(pk=coupon.pk)
            barrier.wait()  # both have read "issued"
            if current.status != CouponStatus.ISSUED:
                return "refused"
            Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.REDEEMED, redeemed_at=timezone.now(),
                                                       redeemed_partner=shop)
            CouponEvent.objects.create(coupon=coupon, kind="redeem", partner=shop)
            return "redeemed"

    results = threaded(2, naive)
    assert results == ["redeemed", "redeemed"]
    assert CouponEvent.objects.filter(coupon=coupon).count() == 2  # one coupon, two redemptions


def test_negative_control_a_naive_claim_oversells_and_the_constraint_refuses(cast: Cast, make_campaign: Callable,
                                                                              launch: Callable) -> None:
    campaign = launch(make_campaign(kind="claim", budget_count=3))
    members = [new_member(cast.district_a) for _ in range(6)]

    def naive(i: int, barrier: threading.Barrier) -> str:
        with transaction.atomic():
            current = Campaign.objects.get(pk=campaign.pk)
            barrier.wait()  # all six read issued_count = 0
            if current.issued_count >= current.budget_count:
                return "sold out"
            Campaign.objects.filter(pk=campaign.pk).update(issued_count=current.issued_count + 1)
            Coupon.objects.create(campaign=current, member=members[i], via="claim",
                                  rule_version=current.rule_version)
            time.sleep(0.01)
            return "claimed"

    results = threaded(6, naive)
    assert results.count("claimed") == 6
    assert Coupon.objects.filter(campaign=campaign).count() == 6 > 3  # oversold: the bug the guard prevents
    # …and the database itself refuses a counter past the budget
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(issued_count=F("budget_count") + 1)


def test_it_issues_once_per_member_when_runs_race(cast: Cast, make_campaign: Callable, launch: Callable) -> None:
    campaign = launch(make_campaign(rule={"employment_form": "gig"}, budget_count=25))
    for _ in range(30):
        new_member(cast.district_a, employment_form="gig", gig_occupation="courier")

    def run(i: int, barrier: threading.Barrier) -> int:
        target = fresh(campaign)
        barrier.wait()
        found = campaigns.campaign_issue(campaign=target, trigger="periodic")
        return found.issued if found else 0

    results = threaded(4, run)
    assert sum(results) == 24, results  # one went out at launch; 24 left in the budget
    assert Coupon.objects.filter(campaign=campaign).count() == 25
    assert Coupon.objects.filter(campaign=campaign).values("member").distinct().count() == 25
    assert fresh(campaign).issued_count == 25
