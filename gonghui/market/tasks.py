"""Background work of the market. Tasks take ids (or nothing), load rows, call a service and are
idempotent. Queue them with ``enqueue`` (after the caller's commit); without a broker they run inline.

``BEAT_SCHEDULE`` is merged into CELERY_BEAT_SCHEDULE by settings; without Celery beat, run
``python -m gonghui market_autoconfirm`` hourly (cron).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction
from django.urls import reverse

from gonghui.core.notify import notify

from .models import Batch

BEAT_SCHEDULE = {
    "market-autoconfirm": {"task": "gonghui.market.tasks.autoconfirm_task", "schedule": 3600.0},
}


@shared_task(ignore_result=True)
def autoconfirm_task() -> int:
    """Hourly: 签收 deliveries left unconfirmed for 7 days (also: manage.py market_autoconfirm)."""
    from .services.orders import orders_autoconfirm

    return orders_autoconfirm()


@shared_task(ignore_result=True)
def relist_notify_task(batch_id: int) -> int:
    """上新: tell followers and earlier customers of the offering about batch ``batch_id`` (once each).

    Idempotent enough for a retry: a repeated run only repeats the inbox message, nothing else."""
    from .selectors import relist_recipients

    batch = Batch.objects.select_related("offering").filter(pk=batch_id).first()
    if batch is None:
        return 0
    url = reverse("market:offering", args=[batch.offering.uuid])
    recipients = relist_recipients(batch)
    for user in recipients:
        notify(user, f"上新：{batch.offering.title}", f"「{batch.name}」开放预约，共{batch.capacity}个名额，先到先得。",
               url=url)
    return len(recipients)


def enqueue(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.delay(*args))
