"""Background work of the appeals app. ``deadline_sweep_task`` is idempotent (each ticket is warned
and flagged once, by guarded updates); without Celery beat, run ``python -m gonghui appeals_deadlines``
(for example from cron, hourly)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from .services.deadlines import deadline_sweep


@shared_task(ignore_result=True)
def deadline_sweep_task() -> str:
    """Warn tickets about to be due, flag overdue ones and escalate them to the parent union."""
    return str(deadline_sweep())


# Merged into CELERY_BEAT_SCHEDULE by the integrator: every hour at :05, and the first run after
# midnight flags what became overdue overnight.
BEAT_SCHEDULE = {
    "appeals-deadline-sweep": {
        "task": "gonghui.appeals.tasks.deadline_sweep_task",
        "schedule": crontab(minute=5),
    },
}
