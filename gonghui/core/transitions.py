"""The one guarded transition: every status change in every module goes through ``transition``.

A transition moves one row from one of the allowed states to the next with a guarded update —
``UPDATE … SET status = new WHERE pk = … AND status IN (allowed)`` — and a row-count check, so two
people (or a person and a scheduled job) acting at once cannot both succeed: the second gets a
``Conflict`` with a Chinese message. In the same transaction it writes the module's history row
(the callback ``history``) and one audit row; the domain event goes out after commit.

    order = transition(order, to=OrderStatus.ASSIGNED, from_=[OrderStatus.PLACED],
                       changes={"server_name": name}, message="订单状态已变化，请刷新后重试",
                       history=lambda before: OrderEvent.objects.create(order=order, from_status=before, …),
                       audit="market.order.assign", actor=actor, detail={…},
                       event="market.order_assigned", payload={"order_id": order.pk})

``transition_many`` is the set-based form for scheduled jobs (expire every coupon past its date):
one UPDATE, no per-row history, an audit row with the count when asked.

Nothing else writes a status: a test scans the source for ``.update(status=…)`` and
``x.status = …`` outside this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import audit as audit_log
from . import events
from .errors import Conflict

M = TypeVar("M", bound=models.Model)

DEFAULT_MESSAGE = "记录状态已变化，请刷新后重试"


def _stamped(model: type[models.Model], values: dict[str, Any], stamp: str | None) -> None:
    if stamp and stamp not in values and any(f.name == stamp for f in model._meta.concrete_fields):
        values[stamp] = timezone.now()


def _states(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def transition(obj: M, *, to: str | None = None, from_: str | Iterable[str] | None = None, field: str = "status",
               guard: Q | dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
               stamp: str | None = "updated_at", message: str = DEFAULT_MESSAGE, code: str = "state_changed",
               history: Callable[[Any], Any] | None = None, audit: str | None = None, actor: Any = None,
               union: Any = None, detail: dict[str, Any] | None = None, label: str = "", anonymous: bool = False,
               event: str | None = None, payload: dict[str, Any] | None = None) -> M:
    """Move ``obj`` to ``to`` if it is still in one of ``from_`` (and matches ``guard``).

    ``changes`` are further columns written by the same UPDATE; ``stamp`` names the column that gets
    the current time (None: none; skipped when the model has no such column). ``to=None`` writes
    only ``changes`` under the same guard (an edit that is allowed in some states only).
    ``from_=None`` does not check the state (the guard alone).

    Then, inside the same transaction: ``history(before)`` with the state the row had, an audit row
    ``audit`` (with ``actor``, ``union``, ``detail``, ``label``, ``anonymous`` as in
    ``audit.record``), and ``event`` with ``payload`` published on commit.

    Raises Conflict(``message``, code=``code``) when no row matched: someone else moved it first, or
    it is not in an allowed state. ``obj`` is updated in memory on success and untouched on failure.
    """
    allowed = _states(from_)
    values: dict[str, Any] = dict(changes or {})
    if to is not None:
        values[field] = to
    _stamped(type(obj), values, stamp)
    condition = Q(pk=obj.pk)
    if allowed is not None:
        condition &= Q(**{f"{field}__in": allowed})
    if guard:
        condition &= guard if isinstance(guard, Q) else Q(**guard)
    before = getattr(obj, field, None)
    with transaction.atomic():
        if not type(obj)._default_manager.filter(condition).update(**values):
            raise Conflict(message, code=code)
        for name, value in values.items():
            setattr(obj, name, value)
        if history is not None:
            history(before)
        if audit:
            audit_log.record(audit, actor=actor, obj=obj, union=union, detail=detail, label=label,
                             anonymous=anonymous)
        if event:
            events.publish(event, **(payload or {}))
    return obj


def transition_many(queryset: models.QuerySet[Any], *, to: str, from_: str | Iterable[str] | None = None,
                    field: str = "status", changes: dict[str, Any] | None = None, stamp: str | None = None,
                    audit: str | None = None, actor: Any = None, union: Any = None,
                    detail: dict[str, Any] | None = None) -> int:
    """Move every row of ``queryset`` still in ``from_`` to ``to`` with one UPDATE; returns the count.

    For scheduled sweeps and bulk closes. With ``audit``, one audit row records the count (none when
    nothing moved).
    """
    allowed = _states(from_)
    values: dict[str, Any] = {field: to, **(changes or {})}
    _stamped(queryset.model, values, stamp)
    if allowed is not None:
        queryset = queryset.filter(**{f"{field}__in": allowed})
    with transaction.atomic():
        moved = queryset.update(**values)
        if moved and audit:
            audit_log.record(audit, actor=actor, union=union, detail={"count": moved, **(detail or {})})
    return moved
