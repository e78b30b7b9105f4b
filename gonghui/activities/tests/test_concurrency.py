"""Concurrency on PostgreSQL with real threads and connections: never over quota, the waitlist promoted
first come first served even while new sign-ups arrive, a double tap makes one sign-up — and the
negative controls: what a naive read-then-write does, and the CheckConstraint refusing it."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from gonghui.activities import selectors, services
from gonghui.activities.models import PLACE_STATUSES, Activity, Signup, SignupStatus
from gonghui.core.errors import Conflict
from gonghui.testing import Cast, threaded

from .conftest import MakeActivity, fresh, new_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def held(activity: Activity) -> int:
    return Signup.objects.filter(activity=activity, status__in=PLACE_STATUSES).count()


def test_it_never_overfills_and_waitlists_the_rest(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=10)
    members = [new_member(cast.district_a) for _ in range(40)]

    def sign(i: int, barrier: threading.Barrier) -> str:
        member = members[i]
        target = fresh(activity)
        barrier.wait()
        return services.signup_create(actor=member.user, member=member, activity=target).status

    results = threaded(40, sign)
    assert Counter(results) == {SignupStatus.CONFIRMED: 10, SignupStatus.WAITLISTED: 30}, results
    assert fresh(activity).taken == 10 == held(activity)


def test_concurrent_cancellations_promote_the_head_of_the_waitlist(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=10)
    first = [new_member(cast.district_a) for _ in range(20)]
    signups = [services.signup_create(actor=m.user, member=m, activity=fresh(activity)) for m in first]
    confirmed, waiting = signups[:10], signups[10:]
    latecomers = [new_member(cast.district_a) for _ in range(5)]

    def act(i: int, barrier: threading.Barrier) -> str:
        if i < 5:  # five holders cancel …
            signup = Signup.objects.select_related("activity__union", "member__user").get(pk=confirmed[i].pk)
            barrier.wait()
            return services.signup_cancel(actor=signup.member.user, signup=signup).status
        member = latecomers[i - 5]  # … while five newcomers sign up
        target = fresh(activity)
        barrier.wait()
        return services.signup_create(actor=member.user, member=member, activity=target).status

    results = threaded(10, act)
    assert results[:5] == [SignupStatus.CANCELLED] * 5 and results[5:] == [SignupStatus.WAITLISTED] * 5, results
    status = dict(Signup.objects.filter(activity=activity).values_list("pk", "status"))
    # the first five of the waitlist came up, in order; nobody jumped the queue
    assert [status[s.pk] for s in waiting] == [SignupStatus.CONFIRMED] * 5 + [SignupStatus.WAITLISTED] * 5
    assert fresh(activity).taken == 10 == held(activity)
    assert Signup.objects.filter(activity=activity, promoted=True).count() == 5


def test_a_double_tap_makes_one_signup(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=5)
    member = new_member(cast.district_a)

    def tap(i: int, barrier: threading.Barrier) -> Any:
        target = fresh(activity)
        barrier.wait()
        return services.signup_create(actor=member.user, member=member, activity=target).status

    results = threaded(8, tap)
    assert results.count(SignupStatus.CONFIRMED) == 1
    assert all(isinstance(r, Conflict) for r in results if r != SignupStatus.CONFIRMED), results
    assert fresh(activity).taken == 1 and Signup.objects.filter(activity=activity).count() == 1


def test_negative_control_a_naive_read_then_write_overfills(cast: Cast, make_activity: MakeActivity) -> None:
    """What the conditional UPDATE prevents: everyone reads "places left", then everyone writes."""
    activity = make_activity(quota=5)
    members = [new_member(cast.district_a) for _ in range(20)]

    def naive(i: int, barrier: threading.Barrier) -> bool:
        with transaction.atomic():
            free = held(activity) < activity.quota
            barrier.wait()  # every request has read before any writes: the usual burst at 09:00:00
            if free:
                Signup.objects.create(activity=activity, member=members[i], status=SignupStatus.CONFIRMED)
            return free

    results = threaded(20, naive)
    assert all(r is True for r in results), results
    assert held(activity) == 20 > activity.quota  # four times over quota


def test_negative_control_the_constraint_refuses_an_unconditional_increment(cast: Cast,
                                                                            make_activity: MakeActivity) -> None:
    """A naive counter (taken = taken + 1 without the WHERE) is stopped by activity_taken_within_quota."""
    activity = make_activity(quota=5)
    members = [new_member(cast.district_a) for _ in range(20)]

    def naive(i: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        try:
            with transaction.atomic():
                Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
                Signup.objects.create(activity=activity, member=members[i], status=SignupStatus.CONFIRMED)
        except IntegrityError as exc:
            assert "activity_taken_within_quota" in str(exc)
            return "refused"
        return "committed"

    results = threaded(20, naive)
    assert Counter(results) == {"committed": 5, "refused": 15}, results
    assert fresh(activity).taken == 5 == held(activity)


def test_the_waitlist_position_told_at_sign_up_is_the_queue_s(cast: Cast, make_activity: MakeActivity) -> None:
    """In a rush every waitlisted member is told a distinct position (1…n), the one they hold in the queue."""
    activity = make_activity(quota=5)
    members = [new_member(cast.district_a) for _ in range(40)]

    def sign(i: int, barrier: threading.Barrier) -> tuple[int, int | None]:
        member = members[i]
        target = fresh(activity)
        barrier.wait()
        signup = services.signup_create(actor=member.user, member=member, activity=target)
        return signup.pk, selectors.waitlist_position(signup)  # what the page and the API say

    results = threaded(40, sign)
    told = {pk: position for pk, position in results if position is not None}
    queue = [s.pk for s in Signup.objects.waitlist().filter(activity=activity)]
    assert len(queue) == 35
    assert sorted(told.values()) == list(range(1, 36)), sorted(told.values())
    assert told == {pk: number for number, pk in enumerate(queue, start=1)}
