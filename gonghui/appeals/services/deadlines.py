"""The deadline job: warn before the due date, flag overdue tickets and escalate them automatically;
and re-dating open tickets when a year's holiday arrangement is loaded (``recompute_deadlines``).

Run by Celery beat (tasks.deadline_sweep_task) or, on the embedded default, by the management
command ``appeals_deadlines``. Idempotent: a ticket is warned once per deadline (``warned_on``) and
flagged once (``overdue``), each by a guarded update, so two runs at once or a rerun change nothing.
The system is the actor: timeline and audit rows carry no user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from gonghui.core import events
from gonghui.core.errors import Conflict
from gonghui.lib.workdays import add_workdays, workdays_between

from ..models import OPEN_STATUSES, Action, Status, Ticket, TicketEvent
from .common import due_date, received_on, tell_unit, transition, warn_workdays
from .intake import nearest_staffed

BATCH = 500


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0

    def __str__(self) -> str:
        return f"临期提醒 {self.warned} 件，新超期 {self.overdue} 件，其中自动上报 {self.escalated} 件"


def remaining_workdays(due_on: date, today: date | None = None) -> int:
    """Working days left until the due date (0 on the day itself, negative when overdue)."""
    return workdays_between(today or timezone.localdate(), due_on)


def _load(ids: list[int]) -> list[Ticket]:
    return list(Ticket.objects.select_related("union__parent", "handler", "submitter").filter(pk__in=ids))


def _warn(ticket: Ticket, today: date) -> bool:
    try:
        with transaction.atomic():
            transition(ticket, actor=None, action=Action.WARN, expect=OPEN_STATUSES,
                       guard={"warned_on__isnull": True, "due_on__gte": today}, changes={"warned_on": today},
                       note=f"将于{ticket.due_on:%Y-%m-%d}到期", shown=False)
            tell_unit(ticket, f"【临期】工单{ticket.number}将于{ticket.due_on:%m月%d日}到期", ticket.title)
    except Conflict:
        return False  # closed, already warned or re-dated meanwhile
    return True


def _flag(ticket: Ticket, today: date) -> tuple[bool, bool]:
    """Flag one overdue ticket and hand it to the parent union. Returns (flagged, escalated)."""
    old = ticket.union
    parent = old.parent if old.parent is not None and old.parent.is_active else None
    target = nearest_staffed(parent) if parent is not None else None
    try:
        with transaction.atomic():
            transition(ticket, actor=None, action=Action.OVERDUE, expect=OPEN_STATUSES,
                       guard={"overdue": False, "due_on__lt": today, "union_id": old.pk},
                       changes={"overdue": True},
                       note=f"已超过办理期限（{ticket.due_on:%Y-%m-%d}）", shown=False)
            if target is not None:
                handler = ticket.handler
                transition(ticket, actor=None, action=Action.AUTO_ESCALATE, expect=OPEN_STATUSES,
                           changes={"union": target, "handler": None, "status": Status.PENDING},
                           note=f"超期未办结，自动上报至{target.name}", from_union=old, to_union=target,
                           audit_union=old, detail={"to_union": str(target.uuid)})
                tell_unit(ticket, f"【超期上报】工单{ticket.number}", f"{old.name}办理超期，已自动上报，请督促办理")
                if handler is not None:
                    from gonghui.core.notify import notify

                    from .common import staff_url

                    notify(handler, f"【超期】工单{ticket.number}已自动上报{target.name}", ticket.title,
                           url=staff_url(ticket))
            else:
                tell_unit(ticket, f"【超期】工单{ticket.number}已超过办理期限", ticket.title)
            events.publish("appeals.ticket_overdue", ticket_id=ticket.pk, union_id=ticket.union_id)
    except Conflict:
        return False, False
    return True, target is not None


def deadline_sweep(*, today: date | None = None) -> SweepResult:
    """Warn tickets due within APPEALS_WARN_WORKDAYS working days; flag and escalate overdue ones."""
    today = today or timezone.localdate()
    result = SweepResult()
    horizon = add_workdays(today, warn_workdays())
    warn_ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES, warned_on__isnull=True, due_on__gte=today,
                                          due_on__lte=horizon).values_list("pk", flat=True))
    for start in range(0, len(warn_ids), BATCH):
        for ticket in _load(warn_ids[start:start + BATCH]):
            result.warned += _warn(ticket, today)
    late_ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES, overdue=False, due_on__lt=today)
                    .values_list("pk", flat=True))
    for start in range(0, len(late_ids), BATCH):
        for ticket in _load(late_ids[start:start + BATCH]):
            flagged, escalated = _flag(ticket, today)
            result.overdue += flagged
            result.escalated += escalated
    return result


# --- A year's arrangement loaded later -----------------------------------------------------------------------


def deadline_start(ticket: Ticket) -> date:
    """The day a ticket's working days are counted from: the day it was received, or for a reopened
    ticket the day it was reopened (handling.ticket_reopen gives it a fresh deadline)."""
    if ticket.reopen_count:
        reopened = (TicketEvent.objects.filter(ticket=ticket, action=Action.REOPEN)
                    .order_by("-created_at", "-id").values_list("created_at", flat=True).first())
        if reopened is not None:
            return timezone.localtime(reopened).date()
    return received_on(ticket)


def recompute_deadlines(years: Iterable[int], *, today: date | None = None) -> list[Ticket]:
    """Re-date the open tickets whose working days run through one of ``years``, after that year's
    official holiday arrangement was loaded (a release that ships it, or WORKDAY_CALENDAR): until
    then the year counted the statutory holidays only, so due dates in it may be early or late.

    Each changed ticket gets a timeline row (shown to the worker) and an audit row, the system as
    the actor; a ticket re-dated to today or later is no longer flagged overdue, and the warning is
    sent again for the new date. Idempotent: a second run finds nothing to change. Returns the
    tickets changed.
    """
    wanted = set(years)
    today = today or timezone.localdate()
    changed: list[Ticket] = []
    ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(ids), BATCH):
        for ticket in _load(ids[first:first + BATCH]):
            start = deadline_start(ticket)
            due = due_date(start, ticket.tier)
            old = ticket.due_on
            if due == old or not wanted & set(range(start.year, max(due, old).year + 1)):
                continue
            changes: dict[str, object] = {"due_on": due, "warned_on": None}
            if due >= today:
                changes["overdue"] = False
            try:
                with transaction.atomic():
                    transition(ticket, actor=None, action=Action.RESCHEDULE, expect=OPEN_STATUSES,
                               guard={"due_on": old}, changes=changes,
                               note=f"节假日安排更新，办理期限由{old:%Y-%m-%d}调整为{due:%Y-%m-%d}",
                               detail={"from": old.isoformat(), "to": due.isoformat()})
            except Conflict:
                continue  # closed or re-dated meanwhile
            changed.append(ticket)
    return changed
