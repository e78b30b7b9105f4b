"""Activity figures for the cockpit: sign-ups and participants (签到) per day, at the hosting union.

The same count as the module's own 惠及人次 page (``selectors.people_served``): one check-in is one
人次. Check-ins are never undone, so a day's counts change only that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gonghui.core.modules import DailyRow, StatSource
from gonghui.core.statistics import count_by_day

from .models import Signup, SignupStatus


def daily(first: date, last: date) -> Iterator[DailyRow]:
    signups = Signup.objects.order_by()
    yield from count_by_day(signups, moment="created_at", union="activity__union_id", metric="activities.signups",
                            first=first, last=last)
    yield from count_by_day(signups.filter(status=SignupStatus.CHECKED_IN), moment="checked_in_at",
                            union="activity__union_id", metric="activities.participants", first=first, last=last)


SOURCE = StatSource(key="activities", daily=daily,
                    metrics={"activities.signups": "活动报名", "activities.participants": "活动参与（签到）"})
