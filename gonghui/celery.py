"""The Celery application: Redis with REDIS_URL, else the filesystem broker in the data directory; tasks
run in the worker that `python -m gonghui serve` starts (inline only in tests: conftest.py)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")

app = Celery("gonghui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Work a task does is audited as the task's, not as the request's that queued it (nor, when tasks
# run inline, the request they happen to run inside).
_task_contexts: dict[str, object] = {}


@signals.task_prerun.connect
def _enter_task_context(task_id: str | None = None, **_: object) -> None:
    from gonghui.core.context import Channel, audit_context

    manager = audit_context(channel=Channel.TASK, ip=None, user_agent="")
    manager.__enter__()
    _task_contexts[task_id or ""] = manager


@signals.task_postrun.connect
def _leave_task_context(task_id: str | None = None, **_: object) -> None:
    manager = _task_contexts.pop(task_id or "", None)
    if manager is not None:
        manager.__exit__(None, None, None)  # type: ignore[attr-defined]
