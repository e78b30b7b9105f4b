"""Long work in the worker, with a progress bar: the job row, the one runner, recovery.

A view (or a service) that starts long work calls ``job_start`` inside its transaction. The ``Job``
row is written with the change that asks for it, and handed to the broker after commit:

    job = jobs.job_start(kind="members.export", title="导出会员名单", owner=request.user,
                         union=filters.union, params={...}, result_url=reverse("members:list"))
    return redirect(job_url(job))                       # the bar, then the result

The worker runs ``run(job_id)`` (the Celery task ``core.tasks.run_job_task``): it claims the row
(queued → running, guarded: a second delivery of the same message does nothing), calls the handler
registered for the kind, and ends the row done (with the handler's ``Outcome``: a summary, a file,
where to land) or failed (with a Chinese message), and tells the owner in the inbox. A handler:

    @jobs.handler("members.export")
    def export_members(job: Job) -> jobs.Outcome:
        ...  jobs.report(done, total)  ...              # the bar; also a heartbeat
        return jobs.Outcome(summary="已导出 1,234 人", file=content, filename="会员名册.xlsx")

takes what it needs from ``job.params`` (ids, never personal data) and ``job.owner``, writes in one
transaction (or in idempotent steps), and raises ``JobFailed``/a domain error with a Chinese message
for the user. It runs again after a worker died (``job.attempts`` > 1), so it must be idempotent.

Durability (the outbox): when the broker cannot be reached the row stays ``queued`` and the user
still sees "已提交，正在处理"; ``sweep`` (beat, every minute, and ``python -m gonghui jobs_sweep``) sends
queued rows again, and a worker that starts re-queues the jobs its node was running when it died
(``kill -9``) and sends every queued row (messages a dead worker had reserved are lost with it on the
filesystem broker). Running jobs with no heartbeat for ``JOBS_STALE_AFTER`` are retried up to
``MAX_ATTEMPTS`` times, then failed.

Progress from inside a transaction: a handler that writes everything in one transaction (the roster
commit: all or nothing) still calls ``report`` as it goes. Written to the job's row there, the
counter would reach the page only when the transaction ends (and on SQLite nothing else may write
while it runs), so ``report`` then puts it on the *progress board* instead, outside every database:
the cache when it is one all processes share (Redis, with ``REDIS_URL``), else a file cache in
MEDIA_ROOT (which the worker and the web servers share; ``tasks.media_problem``). ``live(job)``
lays the board's figures over the row's: the job pages, the API and the sweep (whose heartbeat
check it is) read jobs through it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import context
from .errors import Conflict, DomainError
from .models import Job, JobStatus
from .notify import notify
from .transitions import transition

logger = logging.getLogger("gonghui.jobs")

MAX_ATTEMPTS = 3
UNEXPECTED = "处理时出现意外错误，没有保存任何结果，请稍后重试；如仍失败请联系管理员"
SUBMITTED = "已提交，正在处理"


class JobFailed(DomainError):
    """A handler's way to end its job failed, with a Chinese ``message`` for the user."""

    status = 400
    code = "job_failed"
    default_message = "处理失败，没有保存任何结果"


@dataclass
class Outcome:
    summary: str = ""  # one line for the result page and the inbox ("已导入 1,200 行")
    url: str = ""  # where the result lives, when it differs from the job's result_url
    # a result to download (an export): bytes, or a binary file open for reading (an export streamed
    # to a temporary file, never the whole workbook in memory), read from its start and closed here
    file: bytes | IO[bytes] | None = None
    filename: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # figures the result page shows


Handler = Callable[[Job], Outcome | None]
HANDLERS: dict[str, Handler] = {}
_current: ContextVar[Job | None] = ContextVar("gonghui_job", default=None)


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of ``kind`` (in the app's tasks.py)."""
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func
    return register


def job_url(job: Job) -> str:
    return reverse("core:job", args=[job.uuid])


def job_start(*, kind: str, title: str, owner: Any = None, union: Any = None, subject: str = "",
              params: dict[str, Any] | None = None, result_url: str = "") -> Job:
    """Record a job and send it to the worker after the caller's transaction commits. Never raises
    because the broker is down: the row stays queued and the sweep sends it later.

    ``union`` is anything with ``path`` and ``name`` (the owning union, kept as a snapshot)."""
    origin = context.current()  # where the request came from: the worker's audit rows keep it
    job = Job.objects.create(
        origin={"channel": origin.channel, "ip": origin.ip, "user_agent": origin.user_agent},
        kind=kind, title=title[:120], owner=owner if getattr(owner, "pk", None) else None,
        union_path=getattr(union, "path", "") or "", union_name=(getattr(union, "name", "") or "")[:200],
        subject=subject[:80], params=params or {}, result_url=result_url[:300])
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id: int) -> bool:
    """Hand a queued job to the broker; False (logged) when it cannot be reached."""
    from .tasks import run_job_task

    try:
        run_job_task.apply_async((job_id,))
    except Exception:
        if run_job_task.app.conf.task_always_eager:
            raise  # inline (tests): an error in the runner is an error in the test
        logger.warning("could not queue job %s; it stays queued for the sweep", job_id, exc_info=True)
        return False
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(sent_at=timezone.now())
    return True


def report(done: int, total: int | None = None) -> None:
    """Progress of the job the current worker runs (a no-op outside one): the bar and a heartbeat.
    Outside a transaction it is written to the job's row at once; inside one (all-or-nothing work),
    to the progress board, which the pages read through ``live``."""
    job = _current.get()
    if job is None:
        return
    values: dict[str, Any] = {"done": max(0, int(done)), "heartbeat_at": timezone.now()}
    if total is not None:
        values["total"] = max(0, int(total))
    for name, value in values.items():
        setattr(job, name, value)
    if _in_transaction():
        try:
            _board().set(_board_key(job), {"attempt": job.attempts, "done": job.done, "total": job.total,
                                           "heartbeat_at": job.heartbeat_at}, timeout=_BOARD_SECONDS)
        except Exception:  # the bar stands still; the work goes on
            logger.warning("could not report the progress of job %s", job.uuid, exc_info=True)
    else:
        Job.objects.filter(pk=job.pk).update(**values)


_BOARD_SECONDS = 24 * 3600


def _in_transaction() -> bool:
    """Whether a write to the job's row now would wait for a transaction to end (a test's own
    wrapping transaction does not count: it never ends while the test runs)."""
    connection = transaction.get_connection(router.db_for_write(Job))
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _board() -> Any:
    """Where progress reported inside a transaction goes: a cache every process sees."""
    from django.core.cache import caches
    from django.core.cache.backends.filebased import FileBasedCache

    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not backend.endswith(("LocMemCache", "DummyCache")):
        return caches["default"]
    return FileBasedCache(str(Path(settings.MEDIA_ROOT) / "jobs" / "progress"), {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _board_key(job: Job) -> str:
    return f"gonghui:job-progress:{job.uuid}"


def live(job: Job) -> Job:
    """``job`` with the progress its handler reported from inside a transaction (the board), when
    that is newer than the row's: the bar and the heartbeat of all-or-nothing work. Returns ``job``."""
    if job.status != JobStatus.RUNNING:
        return job
    try:
        seen = _board().get(_board_key(job))
    except Exception:  # the board is a nicety: never fail a page over it
        logger.warning("could not read the progress of job %s", job.uuid, exc_info=True)
        return job
    if not isinstance(seen, dict) or seen.get("attempt") != job.attempts:
        return job  # nothing reported, or by an earlier attempt
    if job.heartbeat_at is None or seen["heartbeat_at"] > job.heartbeat_at:
        job.done, job.total, job.heartbeat_at = seen["done"], seen["total"], seen["heartbeat_at"]
    return job


def current() -> Job | None:
    return _current.get()


def run(job_id: int, *, worker: str = "") -> str:
    """Claim, run and end one job (the worker's task). Returns what happened, for the log."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return "missing"
    now = timezone.now()
    try:
        transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None, changes={
            "started_at": now, "heartbeat_at": now, "worker": worker[:200], "attempts": job.attempts + 1})
    except Conflict:
        return "taken"  # a repeated message: someone else runs it, or it is finished
    token = _current.set(job)
    origin = job.origin or {}
    try:
        func = _handler_of(job.kind)
        if func is None:
            raise JobFailed("系统无法处理这项任务，请联系管理员")
        # the audit rows the handler writes say who asked from where (IP, user agent, web or API)
        with context.audit_context(channel=origin.get("channel") or context.Channel.TASK, ip=origin.get("ip"),
                                   user_agent=origin.get("user_agent") or ""):
            outcome = func(job) or Outcome()
    except DomainError as exc:
        _fail(job, exc.message or UNEXPECTED)
        return "failed"
    except Exception:
        logger.exception("job %s (%s) failed", job.uuid, job.kind)
        _fail(job, UNEXPECTED)
        return "failed"
    finally:
        _current.reset(token)
        _board_clear(job)
    _finish(job, outcome)
    return "done"


def _board_clear(job: Job) -> None:
    try:
        _board().delete(_board_key(job))
    except Exception:  # pragma: no cover - a board that cannot be reached holds nothing to clear
        logger.warning("could not clear the progress of job %s", job.uuid, exc_info=True)


def _handler_of(kind: str) -> Handler | None:
    """The handler of ``kind``, importing ``gonghui.<app>.tasks`` (where it is registered) if need be:
    a process that never imported the app's tasks (a test, a command) still finds it."""
    if kind not in HANDLERS:
        try:
            importlib.import_module(f"gonghui.{kind.split('.', 1)[0]}.tasks")
        except ImportError:
            return None
    return HANDLERS.get(kind)


def _finish(job: Job, outcome: Outcome) -> None:
    name = ""
    if outcome.file is not None:
        from django.core.files.storage import default_storage

        target = f"jobs/{job.uuid}/result{_suffix(outcome.filename)}"
        if isinstance(outcome.file, bytes):
            name = default_storage.save(target, ContentFile(outcome.file))
        else:
            with outcome.file as handle:
                handle.seek(0)
                name = default_storage.save(target, File(handle))
    try:
        with transaction.atomic():
            transition(job, to=JobStatus.DONE, from_=[JobStatus.RUNNING], stamp=None, changes={
                "finished_at": timezone.now(), "done": max(job.done, job.total),
                "result": {"summary": outcome.summary, **outcome.data},
                "result_url": (outcome.url or job.result_url)[:300], "result_file": name,
                "result_name": outcome.filename[:200], "error": ""})
            if job.owner is not None:
                notify(job.owner, f"「{job.title}」已完成", outcome.summary, url=job_url(job))
    except Conflict:  # re-queued meanwhile (a worker was thought dead): the other run decides
        if name:
            _delete(name)


def _fail(job: Job, message: str) -> None:
    try:
        with transaction.atomic():
            transition(job, to=JobStatus.FAILED, from_=[JobStatus.RUNNING], stamp=None, changes={
                "finished_at": timezone.now(), "error": message[:300]})
            if job.owner is not None:
                notify(job.owner, f"「{job.title}」未完成", message, url=job_url(job))
    except Conflict:
        pass


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:][:10] if dot >= 0 else ""


def _delete(name: str) -> None:
    from django.core.files.storage import default_storage

    try:
        default_storage.delete(name)
    except OSError:  # pragma: no cover - already gone
        pass


def _requeue(job: Job, *, because: str) -> bool:
    try:
        transition(job, to=JobStatus.QUEUED, from_=[JobStatus.RUNNING], stamp=None,
                   guard={"worker": job.worker}, changes={"worker": "", "sent_at": None})
    except Conflict:
        return False
    logger.warning("job %s (%s) re-queued: %s", job.uuid, job.kind, because)
    return True


def _give_up(job: Job) -> None:
    try:
        transition(job, to=JobStatus.FAILED, from_=[JobStatus.RUNNING], stamp=None, changes={
            "finished_at": timezone.now(), "error": "处理多次中断，没有完成，请重新发起；如仍失败请联系管理员"})
    except Conflict:
        return
    if job.owner is not None:
        notify(job.owner, f"「{job.title}」未完成", job.error, url=job_url(job))


def recover(worker: str) -> int:
    """At a worker's start: the jobs its node (same name) was running died with it — queue them
    again (or give up after MAX_ATTEMPTS) — and send every queued job. Returns how many it sent."""
    for job in Job.objects.filter(status=JobStatus.RUNNING, worker=worker[:200]):
        if job.attempts >= MAX_ATTEMPTS:
            _give_up(job)
        else:
            _requeue(job, because=f"its worker {worker} restarted")
    return _send_queued(Job.objects.filter(status=JobStatus.QUEUED))


def sweep(*, now: Any = None) -> int:
    """Periodic (beat, every minute): send queued jobs the broker never got (or lost), retry running
    jobs whose worker stopped reporting, and delete result files older than JOBS_KEEP_DAYS."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_STALE_AFTER)
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale):
        if live(job).heartbeat_at >= stale:
            continue  # still reporting, from inside its transaction (the board)
        if job.attempts >= MAX_ATTEMPTS:
            _give_up(job)
        else:
            _requeue(job, because="no progress reported")
    unsent = Job.objects.filter(status=JobStatus.QUEUED).filter(
        Q(sent_at__isnull=True, created_at__lt=now - timedelta(seconds=20))
        | Q(sent_at__lt=now - timedelta(minutes=10)))
    sent = _send_queued(unsent)
    expired = Job.objects.filter(finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_DAYS)).exclude(result_file="")
    for job in expired:
        _delete(job.result_file.name)
        transition(job, guard={"result_file": job.result_file.name}, changes={"result_file": ""}, stamp=None)
    return sent


def _send_queued(queryset: Any) -> int:
    return sum(1 for pk in list(queryset.order_by("created_at").values_list("pk", flat=True)[:500]) if dispatch(pk))
