"""The periodic job: day-before reminders, each confirmed sign-up once, through the task or the command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.activities import services, tasks
from gonghui.core.models import Notification
from gonghui.testing import Cast

from .conftest import MakeActivity, fresh, new_member

pytestmark = pytest.mark.django_db


def test_it_reminds_each_confirmed_participant_once(cast: Cast, make_activity: MakeActivity) -> None:
    tomorrow = make_activity(starts_in=timedelta(hours=20), quota=1)
    next_week = make_activity(starts_in=timedelta(days=7))
    holder, waiting, later = (new_member(cast.district_a) for _ in range(3))
    for member, activity in ((holder, tomorrow), (waiting, tomorrow), (later, next_week)):
        services.signup_create(actor=member.user, member=member, activity=fresh(activity))
    assert tasks.activity_reminders_task() == 1
    assert Notification.objects.filter(recipient=holder.user, title="活动提醒：职工羽毛球赛").count() == 1
    assert not Notification.objects.filter(title__startswith="活动提醒", recipient__in=[waiting.user, later.user])
    out = StringIO()
    call_command("activity_reminders", stdout=out)
    assert out.getvalue().strip() == "已发送活动提醒 0 条"
    assert Notification.objects.filter(title__startswith="活动提醒").count() == 1
    assert "activity-reminders" in tasks.BEAT_SCHEDULE
