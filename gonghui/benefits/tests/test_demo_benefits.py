"""The benefits part of the demo (``gonghui.benefits.demo.build``) on a small demo province: partners
with coordinates, campaigns of every kind with consistent counters, the rider's unused 清凉券, the
partner login, a drawn lottery that re-runs to the same winners."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count, Q, Sum
from django.test import Client

from gonghui.accounts.models import User
from gonghui.benefits import demo
from gonghui.benefits.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Coupon,
    CouponStatus,
    Lottery,
    LotteryStatus,
    Partner,
    PartnerStaff,
)
from gonghui.benefits.services.lotteries import lottery_verify
from gonghui.members.models import Member
from gonghui.seed.demo import build_benefits
from gonghui.testing import small_demo


@pytest.fixture(scope="module")
def demo_lines(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """One small demo for the whole module (the integrator calls build() from the demo command)."""
    with small_demo(django_db_blocker, members=400):
        yield build_benefits(random.Random(2026))


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_lines")]


def test_it_prints_what_it_made(demo_lines: list[str]) -> None:
    text = "\n".join(demo_lines)
    assert "合作伙伴 48 家" in text and "免申即享" in text and "抽奖 2 个（已开奖 1）" in text
    assert demo.MERCHANT_PHONE in text


def test_it_places_partners_around_xining_and_haidong() -> None:
    partners = list(Partner.objects.select_related("union"))
    assert len(partners) == demo.PARTNERS and len({p.name for p in partners}) == len(partners)
    assert all(36.2 < p.latitude < 37.0 and 101.4 < p.longitude < 103.0 for p in partners)
    assert all(p.union.name.endswith("总工会") and p.is_serving() for p in partners)
    assert len({p.category for p in partners}) >= 5


def test_it_keeps_every_counter_true_to_the_coupons() -> None:
    for campaign in Campaign.objects.exclude(status=CampaignStatus.DRAFT):
        real = Coupon.objects.filter(campaign=campaign).aggregate(
            n=Count("id"), redeemed=Count("id", filter=Q(status=CouponStatus.REDEEMED)),
            cents=Sum("discount_cents", filter=Q(status=CouponStatus.REDEEMED)))
        assert campaign.issued_count == real["n"], campaign.name
        assert campaign.issued_cents == real["n"] * campaign.unit_cents <= campaign.budget_cents
        assert campaign.redeemed_count == real["redeemed"] and campaign.redeemed_cents == (real["cents"] or 0)
        assert not Coupon.objects.filter(campaign=campaign, status=CouponStatus.REDEEMED).exclude(
            redeemed_partner__in=campaign.partners.all()).exists()
    kinds = set(Campaign.objects.values_list("kind", "status"))
    assert {(CampaignKind.AUTO, CampaignStatus.ACTIVE), (CampaignKind.CLAIM, CampaignStatus.ACTIVE),
            (CampaignKind.CLAIM, CampaignStatus.DRAFT), (CampaignKind.AUTO, CampaignStatus.ENDED)} <= kinds
    cool = Campaign.objects.get(name="夏送清凉·新就业形态劳动者清凉券")
    gig = Member.objects.current().filter(employment_form="gig", union__path__startswith=cool.union.path).count()
    assert cool.issued_count == gig > 0


def test_it_gives_the_rider_an_unused_cool_coupon_and_the_merchant_a_counter() -> None:
    rider = Member.objects.get(user__in=User.objects.by_phone(demo.RIDER_PHONE))
    coupon = Coupon.objects.select_related("campaign").get(member=rider, campaign__name__startswith="夏送清凉")
    assert coupon.status == CouponStatus.ISSUED and coupon.via == "auto" and coupon.state_label == "可使用"
    merchant = User.objects.by_phone(demo.MERCHANT_PHONE).get()
    role = PartnerStaff.objects.select_related("partner").get(user=merchant)
    assert role.partner in coupon.campaign.partners.all()
    client = Client()
    client.force_login(merchant, backend="gonghui.accounts.auth.PhoneBackend")
    assert client.get("/benefits/merchant/").status_code == 200
    checked = client.get("/benefits/merchant/check/", {"code": coupon.code}).content.decode()
    assert "确认核销" in checked


def test_it_draws_a_lottery_that_verifies() -> None:
    drawn = Lottery.objects.get(status=LotteryStatus.DRAWN)
    assert drawn.winners.count() == 26 and lottery_verify(drawn)
    assert Client().get(f"/benefits/lotteries/{drawn.uuid}/").status_code == 200
