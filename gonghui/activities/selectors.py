"""Read-side queries of the activities app: the console list and its filters, the member's lists, the
participants list and the 惠及人次 statistics. All staff queries start from visible_to(user)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from gonghui.members.models import Member
from gonghui.unions.models import Union
from gonghui.unions.selectors import statistics_union

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Rating,
    Signup,
    SignupStatus,
)

# --- The console list -------------------------------------------------------------------------------------

WHEN_CHOICES = (("", "全部时间"), ("upcoming", "未开始"), ("ongoing", "进行中"), ("ended", "已结束"))


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate each activity with its waitlist, its checked-in count and its average rating."""
    return qs.annotate(
        waitlisted=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED), distinct=True),
        checked_in=Count("signups", filter=Q(signups__status=SignupStatus.CHECKED_IN), distinct=True),
    )


def activity_filter(user: Any, params: Any) -> tuple[QuerySet[Activity], dict[str, Any]]:
    """The activities the user may see, filtered by the query string (q, kind, status, when, union)."""
    qs = Activity.objects.visible_to(user).select_related("union", "brand")
    filters: dict[str, Any] = {"q": " ".join(str(params.get("q", "")).split())[:50]}
    if filters["q"]:
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(place__icontains=filters["q"]))
    kind = params.get("kind", "")
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
        filters["kind"] = kind
    status = params.get("status", "")
    if status in ActivityStatus.values:
        qs = qs.filter(status=status)
        filters["status"] = status
    when = params.get("when", "")
    now = timezone.now()
    if when == "upcoming":
        qs = qs.filter(starts_at__gt=now)
    elif when == "ongoing":
        qs = qs.filter(starts_at__lte=now, ends_at__gt=now)
    elif when == "ended":
        qs = qs.filter(ends_at__lte=now)
    if when:
        filters["when"] = when
    union_key = params.get("union", "")
    if union_key:
        from .access import parse_uuid

        union = Union.objects.visible_to(user).filter(uuid=parse_uuid(union_key)).first()
        if union is not None:
            qs = qs.filter(union__path__startswith=union.path)
            filters["union"] = union
    return qs.order_by("-starts_at", "-id"), filters


# --- The member's side ------------------------------------------------------------------------------------------


def member_activities(member: Member, *, past: bool = False) -> QuerySet[Activity]:
    """Activities of the member's branch: coming (not ended, soonest first) or past (latest first)."""
    qs = Activity.objects.for_member(member).select_related("union", "brand")
    now = timezone.now()
    if past:
        return qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return qs.filter(ends_at__gt=now).order_by("starts_at", "id")


def my_signups_by_activity(member: Member, activities: list[Activity]) -> dict[int, Signup]:
    """The member's latest sign-up for each of these activities (one query)."""
    found: dict[int, Signup] = {}
    for signup in (Signup.objects.filter(member=member, activity__in=[a.pk for a in activities])
                   .order_by("created_at", "id")):
        found[signup.activity_id] = signup  # the latest wins
    return found


def my_signups(member: Member) -> QuerySet[Signup]:
    return (Signup.objects.filter(member=member).select_related("activity__union", "rating")
            .order_by("-created_at", "-id"))


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first in the queue; None unless the sign-up is waitlisted."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    ahead = Signup.objects.filter(activity_id=signup.activity_id, status=SignupStatus.WAITLISTED).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk)).count()
    return ahead + 1


# --- Participants -------------------------------------------------------------------------------------------------


PARTICIPANT_ORDER = {
    SignupStatus.CHECKED_IN: 0, SignupStatus.CONFIRMED: 1, SignupStatus.WAITLISTED: 2, SignupStatus.CANCELLED: 3,
}


def participants(activity: Activity, *, status: str = "") -> QuerySet[Signup]:
    qs = (Signup.objects.filter(activity=activity).select_related("member__union", "rating", "checked_in_by")
          .order_by("created_at", "id"))
    if status in SignupStatus.values:
        qs = qs.filter(status=status)
    return qs


def signup_counts(activity: Activity) -> dict[str, int]:
    rows = dict(Signup.objects.filter(activity=activity).values_list("status").annotate(n=Count("id")))
    return {status: rows.get(status, 0) for status in SignupStatus.values}


def rating_summary(activity: Activity) -> dict[str, Any]:
    rows = Rating.objects.filter(activity=activity)
    agg = rows.aggregate(avg=Avg("score"), n=Count("id"))
    spread = dict(rows.values_list("score").annotate(n=Count("id")))
    return {"average": round(agg["avg"], 1) if agg["avg"] is not None else None, "count": agg["n"],
            "spread": [(score, spread.get(score, 0)) for score in range(5, 0, -1)]}


# --- 惠及人次 -------------------------------------------------------------------------------------------------------


@dataclass
class ServedRow:
    union: Union | None  # None: the selected union's own activities
    label: str
    months: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass
class PeopleServed:
    union: Union
    year: int
    rows: list[ServedRow]
    totals: list[int]
    by_kind: list[tuple[str, int]]
    activities: int
    people: int  # distinct members among the check-ins

    @property
    def total(self) -> int:
        return sum(self.totals)


def stats_root(user: Any, key: Any = None) -> Union | None:
    """The union the statistics are for: the requested one (gated), else the caller's top union."""
    return statistics_union(user, key)


def people_served(union: Union, year: int) -> PeopleServed:
    """惠及人次: check-ins at activities owned by ``union``'s subtree in ``year``, per month, rolled up
    to ``union``'s children (the union's own activities form their own row). A member who took part
    in three activities counts three times (人次); ``people`` counts them once."""
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    checkins = Signup.objects.filter(status=SignupStatus.CHECKED_IN, checked_in_at__gte=start, checked_in_at__lt=end,
                                     activity__union__path__startswith=union.path)
    grouped = (checkins.annotate(month=ExtractMonth("checked_in_at", tzinfo=tz))
               .values_list("activity__union__path", "month").annotate(n=Count("id")))
    children = list(Union.objects.filter(parent=union).order_by("-is_active", "name"))
    own = ServedRow(union=None, label=f"{union.name}（本级）")
    rows = {child.path: ServedRow(union=child, label=child.name) for child in children}
    for path, month, n in grouped:
        rest = path[len(union.path):]
        head = f"{union.path}{rest.split('/', 1)[0]}/" if rest else ""
        row = rows.get(head, own)
        row.months[month - 1] += n
    ordered = [own, *rows.values()]
    totals = [sum(r.months[i] for r in ordered) for i in range(12)]
    kinds = dict(checkins.values_list("activity__kind").annotate(n=Count("id")))
    return PeopleServed(
        union=union, year=year, rows=ordered, totals=totals,
        by_kind=[(label, kinds.get(value, 0)) for value, label in ActivityKind.choices],
        activities=checkins.values("activity_id").distinct().count(),
        people=checkins.values("member_id").distinct().count(),
    )
