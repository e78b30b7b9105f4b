"""What every appeals workflow shares: deadline limits, the one guarded status update with its
timeline and audit rows, and who to tell.

Settings (all optional):

* ``APPEALS_DEADLINE_DAYS`` — working days per tier, default ``{"normal": 5, "hard": 15, "complex": 30}``;
* ``APPEALS_WARN_WORKDAYS`` — warn the handler this many working days before the due date (default 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.selectors import nearest_writers
from gonghui.core import transitions, validation
from gonghui.core.errors import ValidationFailed
from gonghui.core.notify import notify
from gonghui.lib.workdays import add_workdays
from gonghui.unions.models import Union

from ..models import Ticket, TicketEvent, Tier

if TYPE_CHECKING:
    from gonghui.accounts.models import User

DEFAULT_DEADLINE_DAYS = {Tier.NORMAL.value: 5, Tier.HARD.value: 15, Tier.COMPLEX.value: 30}
DEFAULT_WARN_WORKDAYS = 1
TEXT_MAX = 2000
NOTE_MAX = 500
SYSTEM_LABEL = "系统（办理期限检查）"


def deadline_days() -> dict[str, int]:
    """Working days allowed per tier: the defaults with APPEALS_DEADLINE_DAYS applied."""
    configured = getattr(settings, "APPEALS_DEADLINE_DAYS", None) or {}
    days = {**DEFAULT_DEADLINE_DAYS, **{str(k): int(v) for k, v in configured.items()}}
    return days


def warn_workdays() -> int:
    return int(getattr(settings, "APPEALS_WARN_WORKDAYS", DEFAULT_WARN_WORKDAYS))


def due_date(start: date, tier: str) -> date:
    """The last day to close a ticket received (or reopened) on ``start``."""
    return add_workdays(start, deadline_days()[tier])


def received_on(ticket: Ticket) -> date:
    return timezone.localtime(ticket.created_at).date()


def clean_text(value: str, *, label: str, field: str, minimum: int = 1, maximum: int = TEXT_MAX) -> str:
    """A free text cleaned by core.validation.clean_text (lines kept), with a minimum length on top.
    Templates escape it; nothing here is HTML."""
    text = validation.clean_text(value, field=field, label=label, max_length=maximum, required=minimum > 0,
                                 multiline=True)
    if text and len(text) < minimum:
        message = f"{label}至少{minimum}个字"
        raise ValidationFailed(message, detail={field: message})
    return text


def clean_note(value: str, *, label: str = "说明", required: bool = False) -> str:
    return clean_text(value, label=label, field="note", minimum=1 if required else 0, maximum=NOTE_MAX)


# --- Who to tell --------------------------------------------------------------------------------------------


def staff_url(ticket: Ticket) -> str:
    return reverse("appeals:ticket", args=[ticket.uuid])


def worker_url(ticket: Ticket) -> str:
    return reverse("appeals:mine_detail", args=[ticket.uuid])


def tell_unit(ticket: Ticket, title: str, body: str = "", *, skip: Any = None) -> None:
    """Notify the handler, or when there is none the owning unit's staff."""
    people = [ticket.handler] if ticket.handler_id else nearest_writers(ticket.union)
    for person in people:
        if person is not None and getattr(skip, "pk", None) != person.pk:
            notify(person, title, body or ticket.title, url=staff_url(ticket))


def tell_worker(ticket: Ticket, title: str, body: str = "") -> None:
    if ticket.submitter_id:
        notify(ticket.submitter, title, body, url=worker_url(ticket), sms=True)


# --- The one guarded update ---------------------------------------------------------------------------------


ANONYMOUS_LABEL = "匿名职工"


def audited_actor(ticket: Ticket, actor: Any) -> tuple[Any, str]:
    """Who the audit row names: never the author of an anonymous suggestion (auditors read the log
    too); the system when there is no actor."""
    if actor is None:
        return None, SYSTEM_LABEL
    if ticket.anonymous and getattr(actor, "pk", None) is not None and actor.pk == ticket.submitter_id:
        return None, ANONYMOUS_LABEL
    return actor, ""


def event(ticket: Ticket, action: str, *, actor: Any = None, note: str = "", from_union: Union | None = None,
          to_union: Union | None = None, handler: Any = None, shown: bool = True) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, action=action, actor=actor if getattr(actor, "pk", None) else None, note=note[:NOTE_MAX],
        from_union=from_union, to_union=to_union, handler=handler, shown_to_worker=shown)


def transition(ticket: Ticket, *, actor: User | None, action: str, expect: Iterable[str],
               guard: dict[str, Any] | None = None, changes: dict[str, Any], note: str = "",
               from_union: Union | None = None, to_union: Union | None = None, handler: User | None = None,
               shown: bool = True, audit_union: Union | None = None, detail: dict[str, Any] | None = None) -> Ticket:
    """Apply ``changes`` to ``ticket`` if it is still in one of the ``expect`` statuses (and matches
    ``guard``), then write the timeline row and the audit row (core.transitions.transition).

    A ``status`` among ``changes`` is the new state. The audit row never names the author of an
    anonymous suggestion, nor keeps where it came from. Preconditions: inside the caller's
    transaction. Raises Conflict when someone else changed the ticket first (a double click, two
    staff at once, the deadline job).
    """
    rest = {name: value for name, value in changes.items() if name != "status"}
    who, label = audited_actor(ticket, actor)
    return transitions.transition(
        ticket, to=changes.get("status"), from_=list(expect), guard=guard, changes=rest,
        message="该工单的状态已变化，请刷新后重试", code="conflict",
        history=lambda _before: event(ticket, action, actor=actor, note=note, from_union=from_union,
                                      to_union=to_union, handler=handler, shown=shown),
        audit=f"ticket.{action}", actor=who, union=audit_union, label=label,
        anonymous=label == ANONYMOUS_LABEL, detail={"number": ticket.number, **(detail or {})})
