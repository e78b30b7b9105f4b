"""core.jobs: progress reported from inside a transaction (all-or-nothing work such as the roster
commit) reaches the page while the transaction runs — through the progress board (a file cache in
MEDIA_ROOT on the embedded default, the Redis cache with REDIS_URL), not the job's row — and keeps
the sweep from taking a job that still reports for a dead one."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from gonghui.core import jobs
from gonghui.core.job_views import access_job
from gonghui.core.models import Job, JobStatus
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db

SEEN: list[tuple[int, int, int]] = []  # (row's done, live done, live total) after each report


@jobs.handler("core.test_one_transaction")
def _one_transaction_job(job: Job) -> jobs.Outcome:
    with transaction.atomic():
        for done in (10, 20, 30):
            jobs.report(done, 30)
            row = Job.objects.get(pk=job.pk)
            shown = jobs.live(Job.objects.get(pk=job.pk))
            SEEN.append((row.done, shown.done, shown.total))
    return jobs.Outcome(summary="写了 30 行")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def running(cast: Cast, **changes: Any) -> Job:
    job = jobs.job_start(kind="core.test_one_transaction", title="一个事务", owner=cast.district_a_officer)
    values = {"status": JobStatus.RUNNING, "attempts": 1, "started_at": timezone.now(),
              "heartbeat_at": timezone.now(), **changes}
    Job.objects.filter(pk=job.pk).update(**values)
    job.refresh_from_db()
    return job


def test_progress_inside_a_transaction_goes_round_it_and_the_row_keeps_its_own(cast: Cast) -> None:
    SEEN.clear()
    job = jobs.job_start(kind="core.test_one_transaction", title="一个事务", owner=cast.district_a_officer)
    assert jobs.run(job.pk) == "done"
    # The row was not written inside the transaction; the board had each step.
    assert SEEN == [(0, 10, 30), (0, 20, 30), (0, 30, 30)]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    assert jobs._board().get(jobs._board_key(job)) is None  # cleared when the job ended


def test_the_page_and_the_api_show_the_progress_on_the_board(cast: Cast) -> None:
    job = running(cast, total=30)
    token = jobs._current.set(job)
    try:
        with transaction.atomic():
            jobs.report(12, 30)
    finally:
        jobs._current.reset(token)
    assert Job.objects.get(pk=job.pk).done == 0
    assert access_job(cast.district_a_officer, job.uuid).done == 12
    page = cast.client("district_a_officer").get(f"/console/jobs/{job.uuid}/progress/").content.decode()
    assert "已处理 12 / 30（40%）" in page
    assert cast.client("district_a_officer").get(f"/api/v1/core/jobs/{job.uuid}").json()["done"] == 12


def test_it_ignores_what_an_earlier_attempt_or_a_finished_job_left_on_the_board(cast: Cast) -> None:
    job = running(cast, total=30)
    jobs._board().set(jobs._board_key(job), {"attempt": 0, "done": 25, "total": 30,
                                             "heartbeat_at": timezone.now()})
    assert jobs.live(Job.objects.get(pk=job.pk)).done == 0
    jobs._board().set(jobs._board_key(job), {"attempt": 1, "done": 25, "total": 30,
                                             "heartbeat_at": timezone.now()})
    assert jobs.live(Job.objects.get(pk=job.pk)).done == 25
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=30)
    assert jobs.live(Job.objects.get(pk=job.pk)).done == 30


def test_the_sweep_leaves_a_job_that_reports_from_inside_its_transaction(cast: Cast, settings: Any) -> None:
    long_ago = timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER + 60)
    job = running(cast, heartbeat_at=long_ago, worker="w1@host")
    jobs._board().set(jobs._board_key(job), {"attempt": 1, "done": 5, "total": 30, "heartbeat_at": timezone.now()})
    jobs.sweep()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    jobs._board().delete(jobs._board_key(job))
    jobs.sweep()
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # silent everywhere: retried


def test_a_board_that_cannot_be_written_stops_the_bar_not_the_work(cast: Cast, monkeypatch: Any) -> None:
    class Broken:
        def set(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("disk full")

        def get(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("disk full")

    job = running(cast, total=30)
    monkeypatch.setattr(jobs, "_board", lambda: Broken())
    token = jobs._current.set(job)
    try:
        with transaction.atomic():
            jobs.report(12, 30)
    finally:
        jobs._current.reset(token)
    assert jobs.live(Job.objects.get(pk=job.pk)).done == 0


@pytest.fixture
def redis_cache() -> Iterator[None]:
    url = os.environ.get("GONGHUI_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("needs Redis (GONGHUI_TEST_REDIS_URL)")
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": url}}):
        yield


def test_with_redis_the_board_is_the_shared_cache(cast: Cast, redis_cache: None, settings: Any) -> None:
    from django.core.cache import cache

    job = running(cast, total=30)
    token = jobs._current.set(job)
    try:
        with transaction.atomic():
            jobs.report(7, 30)
    finally:
        jobs._current.reset(token)
    assert cache.get(jobs._board_key(job))["done"] == 7
    assert not (Path(settings.MEDIA_ROOT) / "jobs" / "progress").exists()
    assert jobs.live(Job.objects.get(pk=job.pk)).done == 7
    cache.delete(jobs._board_key(job))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_connection_sees_the_bar_move_while_the_transaction_runs(cast: Cast, monkeypatch: Any) -> None:
    """On PostgreSQL, with the page's reads on a connection of their own: mid-transaction, the row
    still says 0 and the page says what the worker reported."""
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: False)  # the worker below plays the job
    job = running(cast, total=30)
    reported, release = threading.Event(), threading.Event()

    def work() -> None:
        token = jobs._current.set(job)
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).exists()
                jobs.report(18, 30)
                reported.set()
                release.wait(10)
        finally:
            jobs._current.reset(token)
            from django.db import connections

            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert reported.wait(10)
        assert Job.objects.get(pk=job.pk).done == 0
        assert access_job(cast.district_a_officer, job.uuid).done == 18
    finally:
        release.set()
        worker.join(10)


def test_a_poll_is_not_activity_and_writes_no_session(cast: Cast) -> None:
    """The staff idle timeout refreshes the session on every request; a poll leaves it alone, so it
    never waits for the write lock a roster commit holds on SQLite (the bar would stand still)."""
    from django.contrib.sessions.models import Session

    job = running(cast, total=30)
    client = cast.client("district_a_officer")
    client.get(f"/console/jobs/{job.uuid}/")

    def stored() -> str:
        return Session.objects.get(session_key=client.session.session_key).session_data

    before = stored()
    assert client.get(f"/console/jobs/{job.uuid}/progress/").status_code == 200
    assert stored() == before
    client.get(f"/console/jobs/{job.uuid}/")  # a page the user opens is activity
    assert stored() != before
