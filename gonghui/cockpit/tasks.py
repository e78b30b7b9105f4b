"""Periodic and on-demand refreshes (Celery; run inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def refresh_task(kind: str = "scheduled", actor_id: int | None = None, union_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from gonghui.unions.models import Union

    from .services import stats_refresh

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    union = Union.objects.filter(pk=union_id).first() if union_id else None
    return stats_refresh(kind=kind, actor=actor, union=union).pk


BEAT_SCHEDULE = {"cockpit-refresh": {"task": "gonghui.cockpit.tasks.refresh_task", "schedule": 600}}
