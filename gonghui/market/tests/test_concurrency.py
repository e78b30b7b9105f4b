"""Concurrency, on PostgreSQL with real threads and connections (skipped on SQLite; the SQLite side
is measured by bench/bench_market_contention.py):

* N concurrent orders for K places give exactly K orders, the others a clean 409 "名额已满";
* the negative control: the same contention against a naive read-check-write placement oversells;
* one member racing themself gets one order; the same Idempotency-Key raced gives every caller the
  same single order.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from gonghui.accounts.models import ApiToken
from gonghui.core.errors import Conflict
from gonghui.market.models import Batch, Order, OrderStatus
from gonghui.market.services import orders
from gonghui.testing import Cast, race

from .conftest import JSON, batch_of, make_offering, new_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def api_client(user: Any) -> Client:
    _, raw = ApiToken.issue(user, name="race")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_it_gives_exactly_k_orders_for_k_places(cast: Cast) -> None:
    offering = make_offering(cast, capacity=7)
    batch = batch_of(offering)
    clients = [api_client(new_member(cast.district_a).user) for _ in range(30)]
    responses = race([lambda c=c: c.post("/api/v1/market/orders", {"batch": str(batch.uuid)}, content_type=JSON)
                      for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 7 + [409] * 23
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"sold_out"}
    assert {r.json()["message"] for r in responses if r.status_code == 409} == {"名额已满"}
    assert Order.objects.filter(batch=batch).count() == 7 and Batch.objects.get(pk=batch.pk).taken == 7


def _naive_place(user: Any, batch: Batch) -> Order:
    """What the guarded update prevents: read the count, check it in Python, write it back."""
    from gonghui.members.access import own_member

    member = own_member(user)
    with transaction.atomic():
        current = Batch.objects.get(pk=batch.pk)
        if current.taken >= current.capacity:
            raise Conflict("名额已满", code="sold_out")
        time.sleep(0.05)  # the window every real request has between its read and its write
        Batch.objects.filter(pk=batch.pk).update(taken=current.taken + 1)
        return Order.objects.create(offering=batch.offering, batch=batch, union=batch.offering.union, member=member,
                                    member_union=member.union)


def test_it_oversells_without_the_guarded_update_negative_control(cast: Cast) -> None:
    offering = make_offering(cast, capacity=7)
    batch = batch_of(offering)
    users = [new_member(cast.district_a).user for _ in range(30)]
    results = race([lambda u=u: _naive_place(u, batch) for u in users])
    created = [r for r in results if isinstance(r, Order)]
    assert len(created) > 7, "the naive placement should oversell under contention"
    assert Order.objects.filter(batch=batch).count() == len(created) > Batch.objects.get(pk=batch.pk).taken
    # …while the real service, on the same kind of batch and the same contention, does not
    guarded = batch_of(make_offering(cast, capacity=7, title="对照"))
    results = race([lambda u=u: orders.order_place(actor=u, batch=guarded) for u in users])
    assert sum(1 for r in results if isinstance(r, orders.Placed)) == 7
    assert all(isinstance(r, orders.Placed) or (isinstance(r, Conflict) and r.code == "sold_out") for r in results)


def test_it_gives_one_member_racing_themself_one_order(cast: Cast) -> None:
    batch = batch_of(make_offering(cast, capacity=50))
    member = new_member(cast.district_a)
    results = race([lambda: orders.order_place(actor=member.user, batch=batch) for _ in range(12)])
    assert sum(1 for r in results if isinstance(r, orders.Placed)) == 1
    assert {r.code for r in results if isinstance(r, Conflict)} == {"duplicate"}
    assert Order.objects.filter(member=member, status=OrderStatus.PLACED).count() == 1
    assert Batch.objects.get(pk=batch.pk).taken == 1


def test_it_returns_the_first_result_for_a_raced_idempotency_key(cast: Cast) -> None:
    batch = batch_of(make_offering(cast, capacity=50))
    member = new_member(cast.district_a)
    clients = [api_client(member.user) for _ in range(12)]
    body = {"batch": str(batch.uuid), "note": "同一次下单，网络重试"}
    responses = race([lambda c=c: c.post("/api/v1/market/orders", body, content_type=JSON,
                                         headers={"Idempotency-Key": "retry-7f3a"}) for c in clients])
    assert [r.status_code for r in responses] == [201] * 12
    assert len({r.json()["uuid"] for r in responses}) == 1
    assert sum(1 for r in responses if r.get("Idempotent-Replayed") == "true") == 11
    assert Order.objects.filter(member=member).count() == 1 and Batch.objects.get(pk=batch.pk).taken == 1
    # the control: the same race without the key gives one order and eleven refusals, not one result
    other = new_member(cast.district_a)
    plain = [api_client(other.user) for _ in range(12)]
    responses = race([lambda c=c: c.post("/api/v1/market/orders", body, content_type=JSON) for c in plain])
    assert sorted(r.status_code for r in responses) == [201] + [409] * 11
