"""Read-side queries of the appeals app, shared by pages, API and exports: the unit queue with its
filters, the statistics and the public message board. Every staff query starts from visible_to(user);
no parameter can widen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.core.errors import NotFound
from gonghui.core.scope import scope_of
from gonghui.lib.text import parse_uuid
from gonghui.lib.workdays import add_workdays
from gonghui.unions.models import Union

from .models import OPEN_STATUSES, SATISFIED_RATINGS, Kind, Priority, Status, Ticket, Tier, Topic
from .services.common import warn_workdays
from .services.deadlines import remaining_workdays

STATUS_FILTERS = {"open": "办理中（全部未办结）", **dict(Status.choices), "all": "全部"}


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def union_in_scope(user: Any, key: Any) -> Union | None:
    found = parse_uuid(key)
    return Union.objects.visible_to(user).filter(uuid=found).first() if found else None


# --- The unit queue ---------------------------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    status: str = "open"
    kind: str = ""
    tier: str = ""
    topic: str = ""
    union: Union | None = None
    mine: bool = False
    overdue: bool = False
    due_soon: bool = False
    supervised: bool = False
    q: str = ""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in {
            "status": self.status, "kind": self.kind, "tier": self.tier, "topic": self.topic,
            "union": str(self.union.uuid) if self.union else "", "mine": "1" if self.mine else "",
            "overdue": "1" if self.overdue else "", "due_soon": "1" if self.due_soon else "",
            "supervised": "1" if self.supervised else "", "q": self.q}.items() if v}


def queue_filters(user: Any, params: Mapping[str, Any]) -> QueueFilters:
    def flag(name: str) -> bool:
        return str(params.get(name) or "") in ("1", "true", "True", "on")

    status = str(params.get("status") or "open")
    return QueueFilters(
        status=status if status in STATUS_FILTERS else "open",
        kind=str(params.get("kind") or "") if params.get("kind") in Kind.values else "",
        tier=str(params.get("tier") or "") if params.get("tier") in Tier.values else "",
        topic=str(params.get("topic") or "") if params.get("topic") in Topic.values else "",
        union=union_in_scope(user, params.get("union")) if params.get("union") else None,
        mine=flag("mine"), overdue=flag("overdue"), due_soon=flag("due_soon"), supervised=flag("supervised"),
        q=" ".join(str(params.get("q") or "").split())[:40],
    )


def queue(user: Any, filters: QueueFilters) -> QuerySet[Ticket]:
    """The tickets of the caller's units, narrowed by ``filters``: open ones most urgent first
    (督办 first, then by due date), closed ones latest first."""
    qs = Ticket.objects.visible_to(user)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    if filters.union is not None:
        qs = qs.under(filters.union)
    if filters.mine:
        qs = qs.filter(handler=user)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    if filters.due_soon:
        today = timezone.localdate()
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=add_workdays(today, warn_workdays()))
    if filters.supervised:
        qs = qs.filter(priority__gte=Priority.SUPERVISED)
    if filters.q:
        qs = qs.filter(Q(number=filters.q) | Q(title__icontains=filters.q))
    if filters.status in ("open", Status.PENDING, Status.PROCESSING):
        return qs.order_by("-priority", "due_on", "id")
    return qs.order_by("-created_at", "-id")


def mark_timers(tickets: Any, today: date | None = None) -> None:
    """Set ``remaining`` (working days to the due date) on open tickets for the deadline timers."""
    today = today or timezone.localdate()
    soon = warn_workdays()
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            ticket.remaining = remaining_workdays(ticket.due_on, today)
            ticket.late = ticket.due_on < today
            # Past the due date on a weekend the working-day count is still 0: it is one day late.
            ticket.late_days = max(-ticket.remaining, 1) if ticket.late else 0
            ticket.soon = not ticket.late and ticket.remaining <= soon
        else:
            ticket.remaining = None
            ticket.late = ticket.soon = False
            ticket.late_days = 0


def queue_counts(user: Any) -> dict[str, int]:
    """The badges above the queue, in one query: pending, overdue, due soon, supervised, mine."""
    today = timezone.localdate()
    open_q = Q(status__in=OPEN_STATUSES)
    return Ticket.objects.visible_to(user).filter(open_q).aggregate(
        open=Count("id"),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        overdue=Count("id", filter=Q(due_on__lt=today)),
        due_soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=add_workdays(today, warn_workdays()))),
        supervised=Count("id", filter=Q(priority__gte=Priority.SUPERVISED)),
        mine=Count("id", filter=Q(handler_id=getattr(user, "pk", None))),
    )


# --- Statistics -----------------------------------------------------------------------------------------------------


def _rates(row: Mapping[str, Any]) -> dict[str, Any]:
    closed, rated = row.get("closed") or 0, row.get("rated") or 0
    return {
        "received": row.get("received") or 0, "closed": closed, "on_time": row.get("on_time") or 0,
        "rated": rated, "satisfied": row.get("satisfied") or 0,
        "on_time_rate": round(100 * (row.get("on_time") or 0) / closed, 1) if closed else None,
        "satisfaction_rate": round(100 * (row.get("satisfied") or 0) / rated, 1) if rated else None,
    }


MEASURES = {
    "received": Count("id"),
    "closed": Count("id", filter=Q(status=Status.CLOSED)),
    "on_time": Count("id", filter=Q(status=Status.CLOSED, on_time=True)),
    "rated": Count("id", filter=~Q(rating="")),
    "satisfied": Count("id", filter=Q(rating__in=list(SATISFIED_RATINGS))),
}


@dataclass
class StatsFilters:
    since: date
    until: date
    root: Union | None = None
    kind: str = ""

    def as_query(self) -> dict[str, str]:
        query = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.root is not None:
            query["union"] = str(self.root.uuid)
        if self.kind:
            query["kind"] = self.kind
        return query


def stats_filters(user: Any, params: Mapping[str, Any]) -> StatsFilters:
    today = timezone.localdate()
    since = _day(params.get("since")) or date(today.year, 1, 1)
    until = _day(params.get("until")) or today
    if until < since:
        since, until = until, since
    if (until - since).days > 3 * 366:  # at most three years in one view
        since = until - timedelta(days=3 * 366)
    root = union_in_scope(user, params.get("union")) if params.get("union") else None
    kind = str(params.get("kind") or "")
    return StatsFilters(since=since, until=until, root=root, kind=kind if kind in Kind.values else "")


@dataclass
class Stats:
    filters: StatsFilters
    root: Union | None
    total: dict[str, Any] = field(default_factory=dict)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    by_union: list[dict[str, Any]] = field(default_factory=list)
    by_month: list[dict[str, Any]] = field(default_factory=list)
    by_topic: list[dict[str, Any]] = field(default_factory=list)


def _stats_root(user: Any, filters: StatsFilters) -> Union | None:
    """The union whose children the "by union" table lists: the chosen one, else the caller's top one."""
    if filters.root is not None:
        return filters.root
    scope = scope_of(user)
    if scope.is_superuser:
        roots = list(Union.objects.filter(parent__isnull=True)[:2])
        return roots[0] if len(roots) == 1 else None
    tops = scope.paths()
    return Union.objects.filter(path=tops[0]).first() if len(tops) == 1 else None


def statistics(user: Any, filters: StatsFilters) -> Stats:
    """Received, closed, on-time and satisfaction figures over the caller's scope, by kind (and so the
    total), union, month and topic: four grouped counts, each read from the covering index
    ticket_stats_idx (plus the tree lookup for the union rows)."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(filters.since, time.min), tz)
    end = timezone.make_aware(datetime.combine(filters.until + timedelta(days=1), time.min), tz)
    qs = Ticket.objects.visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    root = _stats_root(user, filters)
    if filters.root is not None:
        qs = qs.under(filters.root)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    stats = Stats(filters=filters, root=root)
    kinds = {row["kind"]: row for row in qs.order_by().values("kind").annotate(**MEASURES)}
    stats.total = _rates({key: sum(row[key] for row in kinds.values()) for key in MEASURES})
    stats.by_kind = [{"key": k, "label": label, **_rates(kinds.get(k, {}))} for k, label in Kind.choices]
    topics = qs.order_by().values("topic").annotate(**MEASURES).order_by("-received")
    stats.by_topic = [{"key": r["topic"], "label": Topic(r["topic"]).label if r["topic"] in Topic.values
                       else r["topic"], **_rates(r)} for r in topics[:10]]
    months = qs.order_by().annotate(month=TruncMonth("created_at", tzinfo=tz)).values("month").annotate(
        **MEASURES).order_by("month")
    stats.by_month = [{"key": r["month"].strftime("%Y-%m"), "label": r["month"].strftime("%Y年%m月"), **_rates(r)}
                      for r in months]
    stats.by_union = _by_union(qs, root)
    return stats


def _by_union(qs: QuerySet[Ticket], root: Union | None) -> list[dict[str, Any]]:
    """Figures per child of ``root`` (its own tickets on a row of their own), rolled up from one
    GROUP BY the owning union: the number of groups is bounded by the number of unions."""
    if root is None:
        return []
    per_union = {row["union_id"]: row for row in qs.order_by().values("union_id").annotate(**MEASURES)}
    if not per_union:
        return []
    paths = dict(Union.objects.filter(pk__in=list(per_union)).values_list("pk", "path"))
    children = list(Union.objects.filter(parent=root).order_by("name").values("pk", "uuid", "name", "path"))
    rows: list[dict[str, Any]] = []
    own = {key: 0 for key in MEASURES}
    sums = {child["pk"]: {key: 0 for key in MEASURES} for child in children}
    for union_id, row in per_union.items():
        path = paths.get(union_id, "")
        target = own if union_id == root.pk else next(
            (sums[c["pk"]] for c in children if path.startswith(c["path"])), None)
        if target is None:
            continue
        for key in MEASURES:
            target[key] += row[key]
    if own["received"]:
        rows.append({"key": str(root.uuid), "label": f"{root.name}（本级）", "drill": False, **_rates(own)})
    for child in children:
        if sums[child["pk"]]["received"]:
            rows.append({"key": str(child["uuid"]), "label": child["name"], "drill": True, **_rates(sums[child["pk"]])})
    rows.sort(key=lambda r: -r["received"])
    return rows


def stats_sheets(stats: Stats) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The statistics as Excel sheets (gonghui.lib.excel.write_workbook)."""
    header = ["收件数", "办结数", "按时办结数", "按时办结率(%)", "评价数", "满意（含基本满意）数", "满意率(%)"]

    def values(row: Mapping[str, Any]) -> list[Any]:
        return [row["received"], row["closed"], row["on_time"], row["on_time_rate"], row["rated"], row["satisfied"],
                row["satisfaction_rate"]]

    scope_label = stats.root.name if stats.root else "我的范围"
    period = f"{stats.filters.since:%Y-%m-%d} 至 {stats.filters.until:%Y-%m-%d}"
    return [
        ("总体", ["范围", "期间", *header], [[scope_label, period, *values(stats.total)]]),
        ("按类型", ["诉求类型", *header], [[r["label"], *values(r)] for r in stats.by_kind]),
        ("按单位", ["工会", *header], [[r["label"], *values(r)] for r in stats.by_union]),
        ("按月份", ["月份", *header], [[r["label"], *values(r)] for r in stats.by_month]),
        ("热点问题", ["问题类别", *header], [[r["label"], *values(r)] for r in stats.by_topic]),
    ]


# --- The public message board ------------------------------------------------------------------------------------


def board(*, kind: str = "", q: str = "") -> QuerySet[Ticket]:
    qs = Ticket.objects.on_board().select_related("union")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    q = " ".join((q or "").split())[:40]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q))
    return qs.order_by("-closed_at", "-id")


def board_ticket(key: Any) -> Ticket:
    """One ticket of the public message board, else NotFound (a bad key too)."""
    found = parse_uuid(key)
    ticket = board().filter(uuid=found).first() if found else None
    if ticket is None:
        raise NotFound("该留言不存在或未公开")
    return ticket
