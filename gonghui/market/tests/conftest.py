"""Helpers for the market tests: the cast's provider (the national model worker ``provider``, a member
of district A, registered as a provider with their own account), offerings of district A with a
batch, and fresh members."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.market.models import Audience, Batch, Mode, NeedCategory, Offering, Order, Provider, TitleLevel
from gonghui.market.services import catalogue, orders
from gonghui.members.models import Member
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user
from gonghui.unions.models import Union

_SEQ = itertools.count(1)
JSON = "application/json"


def new_member(union: Union, *, female: bool = False, **tags: Any) -> Member:
    """A fresh member with a login; the ID number's sequence gives the gender (odd: male)."""
    n = next(_SEQ)
    born = date(1985, 1, 1) + timedelta(days=n)
    seq = f"{(n % 40) * 2 + (2 if female else 1):03d}"
    user = make_user(f"会员{n}")
    return member_create(actor=None, union=union, name=f"集市会员{n}", user=user,
                         id_number=id_number("630102", born.strftime("%Y%m%d"), seq), phone=user.phone, **tags)


def make_provider(cast: Cast, *, union: Union | None = None, account: Any = "provider", name: str = "陈劳模",
                  kind: str = "model_worker") -> Provider:
    user = cast.users[account] if isinstance(account, str) else account
    return catalogue.provider_create(
        actor=cast.district_a_officer if union is None else cast.province_admin, union=union or cast.district_a,
        data=catalogue.ProviderData(kind=kind, name=name, specialty="高压电工技能",
                                    title_level=TitleLevel.NATIONAL_MODEL if kind == "model_worker" else "",
                                    bio="从事电力检修三十年"),
        account=user)


def make_offering(cast: Cast, provider: Provider | None = None, *, capacity: int = 10, listed: bool = True,
                  audience: str = Audience.ALL, audience_union: Union | None = None, domain: str = "education",
                  slots: list[catalogue.SlotData] | None = None, title: str = "电工技能培训") -> Offering:
    provider = provider or Provider.objects.filter(user=cast.users["provider"]).first() or make_provider(cast)
    offering = catalogue.offering_create(
        actor=cast.district_a_officer, provider=provider,
        data=catalogue.OfferingData(title=title, domain=domain, summary="手把手教电工实操", mode=Mode.ONSITE,
                                    place="甲区职工服务中心", audience=audience, audience_union=audience_union))
    catalogue.batch_add(actor=cast.district_a_officer, offering=offering,
                        data=catalogue.BatchData(name="第1批", capacity=capacity, slots=slots or [],
                                                 serves_from=None if slots else when(days=7, hours=2)))
    if listed:
        catalogue.offering_list(actor=cast.district_a_officer, offering=offering)
    return Offering.objects.select_related("union", "provider__user", "audience_union").get(pk=offering.pk)


def batch_of(offering: Offering) -> Batch:
    return Batch.objects.select_related("offering__union", "offering__provider__user",
                                        "offering__audience_union").filter(offering=offering).latest("id")


def place(cast: Cast, who: str, offering: Offering, **kwargs: Any) -> Order:
    return orders.order_place(actor=cast.users[who], batch=batch_of(offering), **kwargs).order


def load(order: Order) -> Order:
    from gonghui.market.access import orders_qs

    return orders_qs().get(pk=order.pk)


def advance(cast: Cast, order: Order, to: str) -> Order:
    """Move an order through the lifecycle up to ``to`` (placed, assigned, delivered, confirmed, reviewed)."""
    steps = ["placed", "assigned", "delivered", "confirmed", "reviewed"]
    provider = cast.users["provider"]
    member = load(order).member.user
    for step in steps[steps.index(load(order).status) + 1: steps.index(to) + 1]:
        order = load(order)
        if step == "assigned":
            orders.order_assign(actor=provider, order=order, server_name="陈劳模",
                                scheduled_at=timezone.now() + timedelta(days=1))
        elif step == "delivered":
            orders.order_deliver(actor=provider, order=order, note="已完成培训")
        elif step == "confirmed":
            orders.order_confirm(actor=member, order=order)
        elif step == "reviewed":
            orders.order_review(actor=member, order=order, rating=5, text="讲得很好")
    return load(order)


def when(days: float = 0, hours: float = 0) -> datetime:
    """A moment from now (the tests' service times and slots)."""
    return timezone.now() + timedelta(days=days, hours=hours)


@pytest.fixture
def provider(cast: Cast) -> Provider:
    return make_provider(cast)


@pytest.fixture
def offering(cast: Cast, provider: Provider) -> Offering:
    return make_offering(cast, provider)


@pytest.fixture
def category(cast: Cast) -> NeedCategory:
    return NeedCategory.objects.create(union=cast.district_a, name="技能培训")
