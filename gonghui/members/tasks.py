"""Background work of the members app. Each task takes ids, loads rows, calls a service and is
idempotent (the services claim a job with a guarded status update). Queue them with ``enqueue``,
which defers to the end of the caller's transaction; without a broker they run inline."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from gonghui.core.errors import Conflict

from .models import RosterImport
from .services import roster


@shared_task(ignore_result=True)
def roster_check_task(job_id: int) -> None:
    """The dry run of an uploaded roster (does nothing unless the job is still 'uploaded')."""
    job = RosterImport.objects.select_related("union", "created_by").filter(pk=job_id).first()
    if job is not None:
        roster.roster_check(job=job)


@shared_task(ignore_result=True)
def roster_commit_task(job_id: int, actor_id: int) -> None:
    """The commit of a checked roster (does nothing unless the job is still 'checked')."""
    job = RosterImport.objects.select_related("union", "created_by").filter(pk=job_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if job is None or actor is None:
        return
    try:
        roster.roster_commit(job=job, actor=actor)
    except Conflict:
        pass  # already committed, or no longer committable: the job's status says which


@shared_task(ignore_result=True)
def roster_sweep_task() -> int:
    """Daily: expire abandoned roster imports and delete their staged data (also: manage.py roster_sweep)."""
    return roster.roster_sweep()


def enqueue(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.delay(*args))
