"""The worker side of core.jobs: the one runner task, the sweep, and what a worker does when it starts."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import shared_task, signals
from django.conf import settings

from . import jobs

logger = logging.getLogger("gonghui.jobs")


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_job_task(job_id: int) -> str:
    """Run one job (idempotent: a second delivery finds the job claimed or finished)."""
    return jobs.run(job_id, worker=run_job_task.request.hostname or "inline")


@shared_task(ignore_result=True)
def jobs_sweep_task() -> int:
    """Every minute: send queued jobs again, retry stalled ones (also ``python -m gonghui jobs_sweep``)."""
    return jobs.sweep()


BEAT_SCHEDULE = {"core-jobs-sweep": {"task": "gonghui.core.tasks.jobs_sweep_task", "schedule": 60.0}}


def media_problem() -> str:
    """Why this process cannot share uploads with the web servers, or "" when it can. A worker reads
    uploaded rosters and writes exports under MEDIA_ROOT; it must be the same directory the web
    servers write to (on several machines: a shared mount)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return (f"MEDIA_ROOT {root} does not exist: the worker must see the web servers' media directory "
                "(set GONGHUI_DATA_DIR / mount the shared directory)")
    probe = root / f".worker-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"MEDIA_ROOT {root} is not writable by the worker: {exc}"
    return ""


@signals.worker_init.connect
def _check_media(**_: object) -> None:
    problem = media_problem()
    if problem:
        logger.critical("%s", problem)
        raise SystemExit(f"gonghui worker: {problem}")


@signals.worker_ready.connect
def _recover(sender: object = None, **_: object) -> None:
    hostname = getattr(sender, "hostname", "") or ""
    try:
        sent = jobs.recover(hostname)
    except Exception:  # never keep a worker from starting
        logger.exception("job recovery at worker start failed")
        return
    if sent:
        logger.warning("worker %s re-sent %d queued job(s)", hostname, sent)
