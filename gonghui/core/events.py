"""In-process domain events, delivered after the transaction commits.

A service module publishes ``events.publish("member.joined", member_id=…)``; another module (points,
statistics) subscribes in its AppConfig.ready(). Subscribers get ids, never model instances, so a
handler can hand them to a Celery task unchanged.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

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


def publish(name: str, **payload: Any) -> None:
    """Deliver ``name`` to its subscribers once the current transaction commits (now, if none)."""
    transaction.on_commit(lambda: _deliver(name, payload))
