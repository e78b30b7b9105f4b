"""The market part of the demo: ≥ 50 providers, ≥ 60 offerings over the seven domains, orders in every
state with consistent counters, ratings, needs, and the named logins' orders."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count, Q
from django.test import Client

from gonghui.accounts.models import User
from gonghui.market import demo
from gonghui.market.models import (
    HOLDING_STATUSES,
    SERVED_STATUSES,
    Batch,
    Domain,
    Need,
    Offering,
    OfferingStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Provider,
    Review,
)
from gonghui.seed.demo import build_market
from gonghui.testing import small_demo

MEMBERS = 1500


@pytest.fixture(scope="module")
def lines(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """One small demo province plus the market, for the whole module; rolled back at the end."""
    with small_demo(django_db_blocker, members=MEMBERS):
        yield build_market(random.Random(7))


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lines")]


def test_it_summarises_what_it_made(lines: list[str]) -> None:
    assert lines[0].startswith("云集市：服务方") and "订单" in lines[1] and "13900000020" in lines[2]


def test_it_makes_enough_providers_and_offerings_in_every_domain() -> None:
    assert Provider.objects.count() >= 50
    assert Provider.objects.filter(kind__in=["model_worker", "craftsman"]).count() >= 25
    assert Offering.objects.count() >= 60
    listed = Offering.objects.filter(status=OfferingStatus.LISTED)
    assert set(listed.values_list("domain", flat=True)) == set(Domain.values)
    assert Offering.objects.filter(brands__isnull=False).distinct().count() == Offering.objects.count()
    assert Offering.objects.filter(status=OfferingStatus.DRAFT).exists()
    assert Offering.objects.filter(status=OfferingStatus.WITHDRAWN).exists()


def test_it_makes_orders_in_every_state_with_consistent_counters() -> None:
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    for batch in Batch.objects.annotate(active=Count("orders", filter=Q(orders__status__in=HOLDING_STATUSES))):
        assert batch.taken == batch.active <= batch.capacity
        for slot in batch.slots.annotate(active=Count("orders", filter=Q(orders__status__in=HOLDING_STATUSES))):
            assert slot.taken == slot.active <= slot.capacity
    for offering in Offering.objects.annotate(
            served=Count("orders", filter=Q(orders__status__in=SERVED_STATUSES), distinct=True),
            rated=Count("reviews", distinct=True)):
        assert offering.served_count == offering.served and offering.rating_count == offering.rated
    assert Review.objects.count() == Order.objects.filter(status=OrderStatus.REVIEWED).count() > 0
    order = Order.objects.filter(status=OrderStatus.REVIEWED).first()
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True)) == [
        "placed", "assigned", "delivered", "confirmed", "reviewed"]
    # every order is one its member may place: in the offering's branch (or a root union's offering)
    for order in Order.objects.select_related("offering__union", "member_union")[:500]:
        owner = order.offering.union
        assert owner.parent_id is None or order.member_union.path.startswith(owner.path)
    assert Need.objects.count() == 40 and Need.objects.filter(status="answered").exists()


def test_it_gives_the_named_logins_something_to_do() -> None:
    worker = User.objects.by_phone(demo.WORKER_PHONE).get()
    statuses = set(Order.objects.filter(member__user=worker).values_list("status", flat=True))
    assert {"delivered", "confirmed"} <= statuses
    provider_user = User.objects.by_phone(demo.PROVIDER_PHONE).get()
    provider = Provider.objects.get(user=provider_user)
    assert Order.objects.filter(offering__provider=provider, status__in=["placed", "assigned"]).exists()
    client = Client()
    client.force_login(provider_user, backend="gonghui.accounts.auth.PhoneBackend")
    assert client.get("/market/provider/").status_code == 200
    me = Client()
    me.force_login(worker, backend="gonghui.accounts.auth.PhoneBackend")
    page = me.get("/market/").content.decode()
    assert "剩" in page and me.get("/market/orders/?tab=delivered").status_code == 200
