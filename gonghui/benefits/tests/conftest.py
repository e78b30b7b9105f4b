"""Fixtures of the benefits tests, on top of the shared cast (gonghui/testing.py):

* ``shop`` — a partner (a pharmacy in district A) for which the cast's ``merchant`` redeems;
* ``make_campaign`` — a draft campaign of district A through the service (keyword overrides);
* ``launch`` — launch a campaign and run what launching queues after the commit (免申即享).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.benefits.models import Campaign, Partner, PartnerCategory
from gonghui.benefits.services import campaigns, partners
from gonghui.members.models import Member
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user
from gonghui.unions.models import Union

_SEQ = itertools.count(1)
JSON = "application/json"


@pytest.fixture
def shop(cast: Cast) -> Partner:
    today = timezone.localdate()
    partner = partners.partner_create(
        actor=cast.district_a_officer, union=cast.district_a, name="甲区康民大药房", category=PartnerCategory.MEDICAL,
        address="甲区东街12号", latitude=36.6171, longitude=101.7782, discount="会员凭卡购药9折",
        contract_start=today - timedelta(days=30), contract_end=today + timedelta(days=335))
    partners.partner_staff_add(actor=cast.district_a_officer, partner=partner, phone=cast.merchant.phone)
    return partner


def campaign_data(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "name": "夏送清凉券", "kind": "auto", "coupon_type": "amount", "face_cents": 2000, "budget_count": 100,
        "budget_cents": 200_000, "starts_on": today, "ends_on": today + timedelta(days=30), "rule": {},
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_campaign(cast: Cast, shop: Partner) -> Callable[..., Campaign]:
    def make(*, union: Union | None = None, partners_: list[Partner] | None = None, **overrides: Any) -> Campaign:
        return campaigns.campaign_create(actor=cast.district_a_officer, union=union or cast.district_a,
                                         partners=[shop] if partners_ is None else partners_,
                                         **campaign_data(**overrides))
    return make


@pytest.fixture
def launch(cast: Cast, django_capture_on_commit_callbacks: Callable) -> Callable[[Campaign], Campaign]:
    def run(campaign: Campaign, actor: Any = None) -> Campaign:
        with django_capture_on_commit_callbacks(execute=True):
            campaigns.campaign_launch(actor=actor or cast.district_a_officer, campaign=campaign)
        return Campaign.objects.select_related("union", "rule_version").get(pk=campaign.pk)
    return run


def new_member(union: Union, *, with_user: bool = False, born: date | None = None, **extra: Any) -> Member:
    """A fresh member of ``union`` (a distinct person each call)."""
    n = next(_SEQ)
    born = born or (date(1985, 1, 1) + timedelta(days=n))
    user = make_user(f"会员{n}") if with_user else None
    return member_create(actor=None, union=union, name=f"测试会员{n}",
                         id_number=id_number("630102", born.strftime("%Y%m%d"), f"{(n * 2) % 1000:03d}"),
                         user=user, **extra)
