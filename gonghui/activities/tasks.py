"""Background work of the activities app. Tasks take ids or nothing, call a service and are idempotent."""

from __future__ import annotations

from celery import shared_task

from .services import signup_remind_due


@shared_task(ignore_result=True)
def activity_reminders_task() -> int:
    """Every 15 minutes: remind confirmed participants of activities starting within a day (each
    sign-up once; also ``python -m gonghui activity_reminders``)."""
    return signup_remind_due()


BEAT_SCHEDULE = {
    "activity-reminders": {"task": "gonghui.activities.tasks.activity_reminders_task", "schedule": 15 * 60},
}
