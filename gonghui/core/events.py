"""Domain events: durable in an outbox, and delivered in process after the commit.

``events.publish("member.joined", member_id=…, union_id=…)`` does two things:

* it writes an ``OutboxEvent`` row **in the current transaction** — the change and its event commit
  or roll back together, so an event is never lost when a process dies right after the commit and
  never reported for a change that did not happen;
* after the commit it calls the in-process subscribers (``subscribe``), for reactions that may be
  lost without harm (a cache to drop).

Anything that counts events (the points module, statistics) is a *consumer*: it calls
``consume("points", handler)`` from a task or a periodic job. ``consume`` hands the events past the
consumer's cursor to ``handler`` in id order and moves the cursor in the same transaction as the
handler's writes, behind a row lock on the cursor: a crash re-delivers the batch whose writes were
rolled back and nothing else, and two workers never handle the same event. Handlers therefore see
each event once per consumer; they should still write idempotently (a unique key on the event id)
when they have effects outside the database.

Payloads hold ids and plain values, never model instances or personal information.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import EventCursor, OutboxEvent

logger = logging.getLogger("gonghui.events")
Handler = Callable[..., None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def _deliver(name: str, payload: dict[str, Any]) -> None:
    for handler in list(_subscribers.get(name, ())):
        try:
            handler(**payload)
        except Exception:  # one broken subscriber must not break the others or the caller
            logger.exception("event handler %r failed for %s", handler, name)


def publish(name: str, **payload: Any) -> OutboxEvent:
    """Record ``name`` in the outbox now (same transaction) and notify subscribers after the commit."""
    row = OutboxEvent.objects.create(name=name, payload=payload)
    transaction.on_commit(lambda: _deliver(name, payload))
    return row


def consume(consumer: str, handler: Callable[[OutboxEvent], None], *, names: Iterable[str] | None = None,
            batch: int = 500) -> int:
    """Hand the next ``batch`` events past ``consumer``'s cursor to ``handler``; returns how many.

    Only events whose name is in ``names`` are handed over (all when None); the cursor moves past
    the others too. ``handler`` runs inside the transaction that moves the cursor: if it raises,
    nothing of the batch is kept and the same events come again next time.
    """
    wanted = set(names) if names is not None else None
    with transaction.atomic():
        EventCursor.objects.get_or_create(consumer=consumer)
        cursor = EventCursor.objects.select_for_update().get(consumer=consumer)
        rows = list(OutboxEvent.objects.filter(pk__gt=cursor.last_id).order_by("pk")[:batch])
        if not rows:
            return 0
        handled = 0
        for row in rows:
            if wanted is None or row.name in wanted:
                handler(row)
                handled += 1
        EventCursor.objects.filter(pk=cursor.pk).update(last_id=rows[-1].pk, updated_at=timezone.now())
    return handled
