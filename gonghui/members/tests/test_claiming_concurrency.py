"""Two accounts claiming the same member record at once, on PostgreSQL with real threads and
connections: exactly one wins — and the negative control: without the guarded update
(``… WHERE user_id IS NULL``) both writes go through and the last one silently takes the record."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.notify import LoggingSmsBackend
from gonghui.members.models import Member, MembershipHistory
from gonghui.members.services import claiming
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user, threaded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ID = id_number("630102", "19880512", "611")


def code(user: Any) -> str:
    claiming.claim_code_send(actor=user)  # autocommit: the SMS leaves at once
    return re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]


def test_two_accounts_claiming_one_record_at_once_one_wins(cast: Cast) -> None:
    cache.clear()
    member = member_create(actor=None, union=cast.grassroots_a, name="周建国", id_number=ID, event="import")
    users = [make_user("周建国") for _ in range(2)]  # the record has no phone: both accounts qualify
    codes = [code(u) for u in users]

    def claim(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return claiming.member_claim(actor=users[i], name="周建国", id_number=ID, code=codes[i])

    results = threaded(2, claim)
    won = [r for r in results if isinstance(r, Member)]
    # The loser is refused either way: racing the guarded bind it gets the Conflict; reading the record after
    # the winner's commit it finds the winner's phone on it (a claim registers the phone) and gets the
    # uniform mismatch refusal.
    lost = [r for r in results if isinstance(r, (Conflict, ValidationFailed))]
    assert len(won) == 1 and len(lost) == 1, results
    member.refresh_from_db()
    assert member.user_id == won[0].user_id
    assert MembershipHistory.objects.filter(member=member, event="claimed").count() == 1
    assert Member.objects.filter(id_index=member.id_index).count() == 1


def test_negative_control_without_the_guard_both_writes_pass(cast: Cast) -> None:
    """Each request sees the record unbound, then each writes: the second silently replaces the first."""
    member = member_create(actor=None, union=cast.grassroots_a, name="周建国", id_number=ID, event="import")
    users = [make_user("周建国") for _ in range(2)]

    def naive(i: int, barrier: threading.Barrier) -> int:
        with transaction.atomic():
            free = Member.objects.filter(pk=member.pk, user__isnull=True).exists()
            barrier.wait()  # both have checked before either writes
            assert free
            return Member.objects.filter(pk=member.pk).update(user=users[i])

    assert threaded(2, naive) == [1, 1]  # two "successful" binds of one record
