"""core.jobs: the job row is the outbox (a broker that is down turns no saved change into a 500),
a job runs once however often it is delivered, a worker that restarts finishes what it was doing
without duplicates, and the page shows the bar and then the result — to the owner only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.celery import app
from gonghui.core import jobs
from gonghui.core.models import Job, JobStatus, Notification
from gonghui.core.transitions import transition
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@jobs.handler("core.test_count")
def _count_job(job: Job) -> jobs.Outcome:
    CALLS.append(job.pk)
    for done in range(1, 4):
        jobs.report(done, 3)
    return jobs.Outcome(summary="数了 3 个", file=b"a,b\n", filename="结果.csv")


@jobs.handler("core.test_fail")
def _fail_job(job: Job) -> jobs.Outcome:
    raise jobs.JobFailed("第 3 行的身份证号码有误，没有导入任何数据")


@jobs.handler("core.test_crash")
def _crash_job(job: Job) -> jobs.Outcome:
    raise KeyError("secret 110101199003077777")  # never shown to the user




def start(cast: Cast, kind: str = "core.test_count", owner: str = "district_a_officer") -> Job:
    return jobs.job_start(kind=kind, title="测试任务", owner=getattr(cast, owner), union=cast.district_a,
                          params={"n": 3}, result_url="/console/")


def test_it_runs_a_job_with_progress_a_result_and_a_notification(
        cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = start(cast)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.done, job.total) == (3, 3) and job.attempts == 1
    assert job.result["summary"] == "数了 3 个" and job.result_name == "结果.csv" and job.finished_at
    assert job.result_file.read() == b"a,b\n"
    assert job.union_name == "甲区总工会" and job.union_path == cast.district_a.path
    note = Notification.objects.get(recipient=cast.district_a_officer)
    assert note.title == "「测试任务」已完成" and note.url == f"/console/jobs/{job.uuid}/"
    assert jobs.run(job.pk) == "taken" and CALLS == [job.pk]  # a repeated message does nothing


def test_it_shows_the_bar_then_the_result_to_the_owner_only(cast: Cast) -> None:
    job = start(cast)  # not run: on-commit callbacks are not executed here
    now = timezone.now()
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None,
               changes={"started_at": now - timedelta(seconds=30), "total": 4000, "done": 1000})
    owner = cast.client("district_a_officer")
    page = owner.get(f"/console/jobs/{job.uuid}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "已处理 1000 / 4000（25%）" in page
    assert 'value="25"' in page and "预计还需 约 1 分 30 秒" in page
    for other in ("district_a_admin", "district_b_officer", "province_admin"):
        assert cast.client(other).get(f"/console/jobs/{job.uuid}/").status_code == 404, other
    assert cast.client(None).get(f"/console/jobs/{job.uuid}/").status_code == 302
    jobs._finish(job, jobs.Outcome(summary="完成", file=b"x", filename="名单.xlsx"))
    fragment = owner.get(f"/console/jobs/{job.uuid}/progress/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "已完成" in fragment and f"/console/jobs/{job.uuid}/download/" in fragment
    download = owner.get(f"/console/jobs/{job.uuid}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"x"
    assert "filename*=utf-8''%E5%90%8D%E5%8D%95.xlsx" in download["Content-Disposition"]
    assert cast.client("district_b_officer").get(f"/console/jobs/{job.uuid}/download/").status_code == 404


def test_the_api_shows_the_job_and_its_file_to_the_owner_only(cast: Cast) -> None:
    from gonghui.core.models import AuditLog

    job = start(cast)
    owner = cast.client("district_a_officer", api=True)
    seen = owner.get(f"/api/v1/core/jobs/{job.uuid}").json()
    assert seen["status"] == "queued" and seen["message"] == "已提交，正在处理" and seen["download"] is None
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None, changes={"started_at": timezone.now()})
    jobs._finish(job, jobs.Outcome(summary="完成 3 行", file=b"x", filename="名单.xlsx"))
    seen = owner.get(f"/api/v1/core/jobs/{job.uuid}").json()
    assert (seen["status"], seen["message"], seen["percent"]) == ("done", "完成 3 行", 100)
    assert seen["download"] == f"/api/v1/core/jobs/{job.uuid}/download"
    download = owner.get(seen["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"x"
    assert AuditLog.objects.filter(action="job.download", user=cast.district_a_officer).count() == 1
    for other in ("district_a_admin", "district_b_officer", "province_admin"):
        client = cast.client(other, api=True)
        assert client.get(f"/api/v1/core/jobs/{job.uuid}").status_code == 404, other
        assert client.get(seen["download"]).status_code == 404, other
    assert cast.client(None).get(f"/api/v1/core/jobs/{job.uuid}").status_code == 401


def test_it_lands_on_the_result_page_when_asked(cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="core.test_fail", title="测试任务", owner=cast.district_a_officer,
                             result_url="/console/")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "第 3 行的身份证号码有误，没有导入任何数据"
    page = cast.client("district_a_officer").get(f"/console/jobs/{job.uuid}/?land=1")
    assert page.status_code == 200 and "未完成" in page.content.decode()  # a failure stays on the job page
    assert Notification.objects.get(recipient=cast.district_a_officer).title == "「测试任务」未完成"


def test_it_fails_an_unexpected_error_with_a_chinese_message(
        cast: Cast, django_capture_on_commit_callbacks: Callable) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = start(cast, kind="core.test_crash")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.UNEXPECTED and "1101" not in job.error


def test_it_keeps_the_job_queued_when_the_broker_is_down_and_the_sweep_sends_it(
        cast: Cast, broker_down: None, django_capture_on_commit_callbacks: Callable) -> None:
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = start(cast)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.sent_at is None and CALLS == []
    app.conf.task_always_eager = True  # the broker is back (inline here)
    assert jobs.sweep(now=timezone.now() + timedelta(seconds=30)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and CALLS == [job.pk]


def test_a_restarted_worker_runs_again_what_it_was_running(cast: Cast) -> None:
    CALLS.clear()
    job = start(cast)
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None,
               changes={"worker": "gonghui@host", "attempts": 1, "started_at": timezone.now()})
    other = start(cast)
    transition(other, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None,
               changes={"worker": "gonghui@elsewhere", "attempts": 1, "started_at": timezone.now()})
    assert jobs.recover("gonghui@host") == 1
    job.refresh_from_db()
    other.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and CALLS == [job.pk]
    assert other.status == JobStatus.RUNNING  # another node's job is that node's business


def test_the_sweep_retries_a_stalled_job_then_gives_up(cast: Cast) -> None:
    job = start(cast)
    long_ago = timezone.now() - timedelta(hours=2)
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None,
               changes={"worker": "gonghui@host", "attempts": jobs.MAX_ATTEMPTS, "heartbeat_at": long_ago})
    jobs.sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "多次中断" in job.error


def test_it_never_serves_a_missing_result_file(cast: Cast, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    job = start(cast)
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None)
    jobs._finish(job, jobs.Outcome(file=b"x", filename="a.xlsx"))
    job.refresh_from_db()
    (tmp_path / job.result_file.name).unlink()
    response = cast.client("district_a_officer").get(f"/console/jobs/{job.uuid}/download/")
    assert response.status_code == 404 and "已过期" in response.content.decode()
