"""The registry's figures for the cockpit: members in each union now, and joins per day.

"In the union" means active or being transferred out (转出中: still a member of the old union until
the new one accepts). A member counts at the union they belong to now; ``touched`` reports the join
days of members changed since a moment, so a transfer moves their join to the new union's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.db.models import Count, Q

from gonghui.core.modules import DailyRow, SnapshotRow, StatSource

from .models import EmploymentForm, Gender, GigOccupation, Household, Member, MemberStatus

IN_UNION = (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING)
_FLAGS = {
    "members.total": Q(),
    "members.women": Q(gender=Gender.FEMALE),
    "members.gig_total": Q(employment_form=EmploymentForm.GIG),
    "members.migrant": Q(household=Household.AGRICULTURAL),
    "members.model_workers": ~Q(model_worker_level=""),
    "members.craftsmen": Q(craftsman=True),
    "members.hardship": ~Q(hardship_level=""),
    "members.claimed": Q(user__isnull=False),  # 已认证: bound to an account (joined online or claimed)
}


def snapshot() -> Iterator[SnapshotRow]:
    members = Member.objects.filter(status__in=IN_UNION).order_by()
    aliases = {key: key.replace(".", "__") for key in _FLAGS}  # annotation names cannot hold dots
    counts = members.values("union_id").annotate(**{aliases[key]: Count("pk", filter=condition)
                                                    for key, condition in _FLAGS.items()})
    for row in counts:
        for key, alias in aliases.items():
            if row[alias]:
                yield row["union_id"], key, "", row[alias]
    gig = (members.filter(employment_form=EmploymentForm.GIG).values_list("union_id", "gig_occupation")
           .annotate(n=Count("pk")))
    for union_id, occupation, n in gig:
        yield union_id, "members.gig", occupation or "other", n


def daily(first: date, last: date) -> Iterator[DailyRow]:
    joined = (Member.objects.filter(join_date__gte=first, join_date__lte=last).order_by()
              .values_list("union_id", "join_date").annotate(n=Count("pk")))
    for union_id, day, n in joined:
        yield union_id, day, "members.joined", "", n


def touched(since: datetime) -> Iterable[date]:
    return set(Member.objects.filter(updated_at__gte=since).order_by().values_list("join_date", flat=True).distinct())


SOURCE = StatSource(
    key="members",
    metrics={"members.total": "会员总数", "members.women": "女职工会员", "members.gig_total": "新就业形态劳动者",
             "members.gig": "新就业形态劳动者（按职业）", "members.migrant": "农民工会员",
             "members.model_workers": "劳模", "members.craftsmen": "工匠", "members.hardship": "困难职工",
             "members.claimed": "已认证会员",
             "members.joined": "新入会"},
    dimensions={"members.gig": {**dict(GigOccupation.choices), "other": "其他"}},
    snapshot=snapshot, daily=daily, touched=touched,
)
