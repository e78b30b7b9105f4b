"""Demo activities: the named workers' part of them, and the summary. A year of union activities
across the demo tree — concluded ones with their check-ins (惠及人次) and ratings, ones running
today, ones open for sign-up (one full, with a waitlist), upcoming ones, drafts and a cancelled one
— is the generator's: ``gonghui.seed.activities.demo_plans`` plans them from the templates on what
the demo holds (unions, their writing staff, current members, the brand matrix), and
``replay_signups`` replays and writes their sign-ups (the same sign-up path as ``gonghui seed``'s).

The named worker logins get what lets them try everything (``named_plans``): 王小明 (职工
13900000010) is signed up for an activity running now (check in by scanning its code), may sign up
for an open one, waits on the waitlist of a full one, and took part in a concluded one he has not
rated yet; 李骑手 (骑手 13900000011) is offered a gig-workers-only activity.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from .models import Activity, ActivityStatus, Phase, Rating, Signup, SignupStatus

WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"


def named_plans(world: Any, now: datetime, make: Callable[..., Any], *, at_hour: Callable[[datetime], datetime],
                rng: random.Random) -> None:
    """The named workers' activities, planned by the generator's ``make(union, template title, starts,
    status, fill=…)`` (``gonghui.seed.activities.demo_plans``) at ``at_hour(day)``: 王小明's running one
    (signed up), an open one, a full one (on its waitlist) and a concluded one (checked in, not
    rated); an open gig-workers-only one at 李骑手's union."""
    worker, rider = world.worker, world.rider
    if worker is not None:
        home = world.organizer_for(worker, rng=rng)
        if home is not None:
            running = make(home, "职工心理健康讲座", now - timedelta(minutes=30), ActivityStatus.PUBLISHED, fill=0.6)
            running.activity.signup_opens_at = now - timedelta(days=10)
            running.activity.signup_closes_at = running.activity.starts_at
            running.extra.append((worker, SignupStatus.CONFIRMED))
            make(home, "“书香工会”职工读书分享会", at_hour(now + timedelta(days=5)), ActivityStatus.PUBLISHED, fill=0.3)
            full = make(home, "职工志愿者义务植树", at_hour(now + timedelta(days=9)), ActivityStatus.PUBLISHED,
                        fill=1.25)
            full.activity.quota = 20
            full.extra.append((worker, SignupStatus.WAITLISTED))
            past = make(home, "电工职业技能提升培训", at_hour(now - timedelta(days=12)), ActivityStatus.CONCLUDED,
                        fill=0.9)
            past.extra.append((worker, SignupStatus.CHECKED_IN))
    if rider is not None:
        home = world.organizer_for(rider, rng=rng)
        if home is not None:
            make(home, "夏送清凉·户外劳动者慰问", at_hour(now + timedelta(days=4)), ActivityStatus.PUBLISHED, fill=0.4)


def build_summary(*, made: bool = True) -> list[str]:
    return summary() if made else ["活动：演示数据中没有配备工作人员的工会，未生成活动"]


def counts() -> dict[str, Any]:
    now = timezone.now()
    phases: Counter[str] = Counter()
    for a in Activity.objects.only("status", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        phases[a.phase(now).label if a.status == ActivityStatus.PUBLISHED else a.get_status_display()] += 1
    signups = Signup.objects.aggregate(
        total=Count("id"), served=Count("id", filter=Q(status=SignupStatus.CHECKED_IN)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)))
    ratings = Rating.objects.aggregate(n=Count("id"), avg=Avg("score"))
    return {"activities": sum(phases.values()), "phases": dict(phases), **signups, "ratings": ratings["n"],
            "average": ratings["avg"]}


def summary() -> list[str]:
    c = counts()
    order = [ActivityStatus.CONCLUDED.label, Phase.ENDED.label, Phase.ONGOING.label, Phase.SIGNUP.label,
             Phase.CLOSED.label, Phase.UPCOMING.label, ActivityStatus.DRAFT.label, ActivityStatus.CANCELLED.label]
    phases = "、".join(f"{label}{c['phases'][label]}" for label in order if c["phases"].get(label))
    average = f"{c['average']:.1f}" if c["average"] else "—"
    return [
        f"活动 {c['activities']} 个（{phases or '无'}）",
        f"  报名 {c['total']} 人次（候补中 {c['waitlisted']}），签到即惠及 {c['served']} 人次，"
        f"评价 {c['ratings']} 条（平均 {average} 分）",
    ]
