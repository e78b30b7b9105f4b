"""Periodic and on-demand refreshes (Celery; run inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task

from gonghui.core import jobs
from gonghui.core.models import Job


@shared_task
def refresh_task(kind: str = "scheduled", actor_id: int | None = None, union_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from gonghui.unions.models import Union

    from .services import stats_refresh

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    union = Union.objects.filter(pk=union_id).first() if union_id else None
    return stats_refresh(kind=kind, actor=actor, union=union).pk


@jobs.handler("cockpit.refresh")
def refresh_job(job: Job) -> jobs.Outcome:
    """统计刷新 started from the console, with the bar and a result (the run's days and time)."""
    from gonghui.unions.models import Union

    from .models import RefreshRun
    from .services import stats_refresh

    union = Union.objects.filter(pk=job.params.get("union_id")).first()
    jobs.report(0, 1)
    run = stats_refresh(kind=job.params.get("kind", "manual"), actor=job.owner, union=union)
    done = RefreshRun.objects.filter(pk=run.pk).first() or run
    jobs.report(1, 1)
    return jobs.Outcome(summary=f"重算 {done.days} 天，用时 {done.seconds:.1f} 秒",
                        data={"days": done.days, "seconds": done.seconds})


BEAT_SCHEDULE = {"cockpit-refresh": {"task": "gonghui.cockpit.tasks.refresh_task", "schedule": 600}}
