"""Helpers for the activities tests: activities of district A (published by default) and fresh members."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Activity
from gonghui.members.models import Member
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user
from gonghui.unions.models import Union

_SEQ = itertools.count(1)


def new_member(union: Union, *, female: bool = False, born: date | None = None, **tags: Any) -> Member:
    """A fresh member with a login; the ID number's sequence gives the gender (odd: male)."""
    n = next(_SEQ)
    birthday = born or (date(1988, 1, 1) + timedelta(days=n))
    seq = f"{(n % 40) * 2 + (2 if female else 1):03d}"
    user = make_user(f"会员{n}")
    return member_create(actor=None, union=union, name=f"测试会员{n}", user=user,
                         id_number=id_number("630102", birthday.strftime("%Y%m%d"), seq), phone=user.phone, **tags)


def shift(activity: Activity, *, starts_at: datetime, hours: float = 2) -> Activity:
    """Move an activity in time (tests only: the service refuses to create activities in the past)."""
    ends_at = starts_at + timedelta(hours=hours)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=starts_at, ends_at=ends_at, signup_opens_at=starts_at - timedelta(days=3),
        signup_closes_at=starts_at)
    activity.refresh_from_db()
    return activity


def fresh(activity: Activity) -> Activity:
    return Activity.objects.select_related("union", "brand").get(pk=activity.pk)


MakeActivity = Callable[..., Activity]


@pytest.fixture
def make_activity(cast: Cast) -> MakeActivity:
    def make(*, union: Union | None = None, quota: int = 5, starts_in: timedelta = timedelta(days=2),
             hours: float = 2, publish: bool = True, actor: str = "district_a_officer", title: str = "职工羽毛球赛",
             kind: str = "culture", **extra: Any) -> Activity:
        now = timezone.now()
        starts = now + starts_in
        activity = services.activity_create(
            actor=cast.users[actor], union=union or cast.district_a, title=title, kind=kind,
            place="甲区职工活动中心", starts_at=starts, ends_at=starts + timedelta(hours=hours), quota=quota,
            signup_opens_at=now - timedelta(days=1), **extra)
        if publish:
            services.activity_publish(actor=cast.users[actor], activity=activity)
        return fresh(activity)

    return make
