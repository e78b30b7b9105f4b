"""The activities part of the demo: it builds on a small demo province, keeps the capacity invariant,
gives the named workers something to do, and feeds 惠及人次."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.activities import demo
from gonghui.activities.models import Activity, ActivityStatus, Rating, Signup, SignupStatus
from gonghui.activities.selectors import people_served
from gonghui.members.access import own_member
from gonghui.seed.activities import TEMPLATES, in_season
from gonghui.seed.demo import build_activities
from gonghui.testing import small_demo
from gonghui.unions.models import Union


@pytest.fixture(scope="module")
def demo_lines(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """One small demo for the whole module, rolled back after its last test."""
    with small_demo(django_db_blocker):
        yield build_activities(random.Random(7))


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_lines")]


def test_it_prints_a_summary(demo_lines: list[str]) -> None:
    assert demo_lines[0].startswith("活动 ") and "已总结" in demo_lines[0] and "报名中" in demo_lines[0]
    assert "惠及" in demo_lines[1] and "评价" in demo_lines[1]


def test_it_keeps_the_places_consistent() -> None:
    activities = Activity.objects.annotate(
        held=Count("signups", filter=Q(signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN])),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)))
    assert activities.count() >= 60
    for activity in activities:
        assert activity.taken == activity.held <= activity.quota, activity.title
        if activity.waiting:
            assert activity.taken == activity.quota, activity.title  # nobody waits while a place is free
        assert activity.union.path.startswith(activity.brand.union.path) if activity.brand else True
    live = Signup.objects.filter(status__in=["confirmed", "waitlisted", "checked_in"])
    assert not live.values("activity", "member").annotate(n=Count("id")).filter(n__gt=1).exists()
    for signup in Signup.objects.select_related("activity__union", "member__union")[:500]:
        assert signup.member.union.path.startswith(signup.activity.union.path)
        assert not signup.activity.audience_problem(signup.member)
    assert not Signup.objects.filter(status="checked_in", checked_in_at__gt=timezone.now()).exists()
    assert Rating.objects.filter(~Q(signup__status="checked_in")).count() == 0


def test_the_named_worker_has_something_to_do() -> None:
    worker = own_member(User.objects.by_phone(demo.WORKER_PHONE).get())
    mine = {s.activity.title: s.status for s in Signup.objects.filter(member=worker).select_related("activity")}
    assert set(mine.values()) == {"confirmed", "waitlisted", "checked_in"}
    running = Signup.objects.get(member=worker, status="confirmed").activity
    assert running.checkin_open()
    full = Signup.objects.get(member=worker, status="waitlisted").activity
    assert full.is_full and full.signup_open()
    open_for_him = Activity.objects.for_member(worker).filter(status=ActivityStatus.PUBLISHED).exclude(
        signups__member=worker)
    assert any(a.signup_open() and not a.audience_problem(worker) for a in open_for_him)
    rider = own_member(User.objects.by_phone(demo.RIDER_PHONE).get())
    assert any(a.gig_only and a.signup_open() for a in Activity.objects.for_member(rider))


def test_it_feeds_people_served() -> None:
    province = Union.objects.get(parent__isnull=True)
    year = timezone.localdate().year
    served = people_served(province, year).total + people_served(province, year - 1).total
    assert served == Signup.objects.filter(status="checked_in").count() > 0


def test_every_activity_is_held_in_its_season_and_outdoor_ones_by_day() -> None:
    by_title = {t.title: t for t in TEMPLATES}
    seasonal = 0
    for activity in Activity.objects.all():
        template = by_title[activity.title]
        seasonal += bool(template.months)
        assert template.fits(activity.starts_at), (activity.title, activity.starts_at)
        if template.outdoor:
            assert timezone.localtime(activity.starts_at).hour < 17, (activity.title, activity.starts_at)
    assert seasonal  # the year behind the demo holds some seasonal ones


def test_an_out_of_season_template_gives_way_to_one_of_its_kind_and_audience() -> None:
    summer = next(t for t in TEMPLATES if t.title.startswith("夏送清凉"))
    december = datetime(2026, 12, 7, 19, 0, tzinfo=timezone.get_current_timezone())
    template, starts = in_season(summer, december)
    assert template.kind == summer.kind and template.rules == summer.rules and template.fits(december)
    assert starts == december
    july, moved = in_season(summer, datetime(2026, 7, 7, 19, 0, tzinfo=timezone.get_current_timezone()))
    assert july is summer and moved.hour == 9 and (moved.month, moved.day) == (7, 7)
