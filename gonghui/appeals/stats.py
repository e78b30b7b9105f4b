"""12351 figures for the cockpit, at the union handling the ticket now.

Per day: tickets received (提交), closed (办结), closed on time, rated and rated 满意/基本满意 — the
on-time rate is closed on time ÷ closed, satisfaction is satisfied ÷ rated. Now: open and overdue.
A ticket that is passed on (交办/转办/上报) or reopened changes the counts of earlier days, so
``touched`` reports every day such a ticket was received, closed or rated (from its timeline too:
a reopened ticket no longer carries its first closing date).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.db.models import Count, Q

from gonghui.core.modules import DailyRow, SnapshotRow, StatSource
from gonghui.core.statistics import count_by_day, local_days

from .models import OPEN_STATUSES, SATISFIED_RATINGS, Action, Status, Ticket, TicketEvent


def snapshot() -> Iterator[SnapshotRow]:
    open_tickets = (Ticket.objects.filter(status__in=OPEN_STATUSES).order_by().values("union_id")
                    .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(overdue=True))))
    for row in open_tickets:
        yield row["union_id"], "appeals.open", "", row["n"]
        if row["overdue"]:
            yield row["union_id"], "appeals.overdue", "", row["overdue"]


def daily(first: date, last: date) -> Iterator[DailyRow]:
    tickets = Ticket.objects.order_by()
    closed = tickets.filter(status=Status.CLOSED)
    rated = tickets.exclude(rating="")
    span = {"union": "union_id", "first": first, "last": last}
    yield from count_by_day(tickets, moment="created_at", metric="appeals.received", **span)
    yield from count_by_day(closed, moment="closed_at", metric="appeals.closed", **span)
    yield from count_by_day(closed.filter(on_time=True), moment="closed_at", metric="appeals.on_time", **span)
    yield from count_by_day(rated, moment="rated_at", metric="appeals.rated", **span)
    yield from count_by_day(rated.filter(rating__in=SATISFIED_RATINGS), moment="rated_at", metric="appeals.satisfied",
                            **span)


def touched(since: datetime) -> Iterable[date]:
    changed = Ticket.objects.filter(updated_at__gte=since).order_by()
    days = local_days(changed, "created_at") | local_days(changed, "closed_at") | local_days(changed, "rated_at")
    history = TicketEvent.objects.filter(ticket__updated_at__gte=since, action__in=(Action.CLOSE, Action.RATE))
    return days | local_days(history.order_by(), "created_at")


SOURCE = StatSource(
    key="appeals",
    metrics={"appeals.received": "受理诉求", "appeals.closed": "办结", "appeals.on_time": "按时办结",
             "appeals.rated": "评价", "appeals.satisfied": "满意（含基本满意）", "appeals.open": "在办",
             "appeals.overdue": "超期在办"},
    snapshot=snapshot, daily=daily, touched=touched,
)
