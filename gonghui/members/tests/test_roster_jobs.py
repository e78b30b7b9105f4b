"""Roster imports as background jobs: the bar comes from the job, a worker killed in the middle of
a check or a commit leaves a job that the restarted worker finishes without duplicates, and a
worker that cannot see the upload says so in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import Workbook

from gonghui.core import jobs
from gonghui.core.models import Job, JobStatus
from gonghui.core.transitions import transition
from gonghui.members.models import ImportStatus, Member, MembershipHistory, RosterImport
from gonghui.members.services import roster
from gonghui.members.tasks import MISSING_UPLOAD, roster_job_start
from gonghui.testing import Cast, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(n: int) -> bytes:
    import io

    book = Workbook()
    sheet = book.active
    sheet.append(list(roster.HEADERS))
    for i in range(n):
        name = f"成员{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'一二三四五六七八九十'[i // 10]}"
        sheet.append([name, id_number("630102", "19900101", f"{i:03d}"), *[""] * 11])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def crashed(job: Job, worker: str = "gonghui@host") -> None:
    """The state a ``kill -9`` leaves: the job claimed by ``worker``, its work not finished."""
    transition(job, to=JobStatus.RUNNING, from_=[JobStatus.QUEUED], stamp=None,
               changes={"worker": worker, "attempts": 1, "started_at": timezone.now()})


def test_a_commit_killed_midway_is_finished_once_by_the_restarted_worker(cast: Cast) -> None:
    officer = cast.district_a_officer
    ri = roster.roster_check(job=roster.roster_upload(actor=officer, union=cast.district_a, content=workbook(30)))
    assert ri.status == ImportStatus.CHECKED and ri.valid_rows == 30, ri.errors[:3]
    job = roster_job_start(ri, step="commit", actor=officer)  # its message was lost with the worker
    crashed(job)
    # The commit had begun: the status moved before its one transaction, which died with the worker.
    transition(ri, to=ImportStatus.COMMITTING, from_=[ImportStatus.CHECKED], stamp=None)
    before = Member.objects.count()
    jobs.recover("gonghui@host")  # the worker starts again (inline here)
    job.refresh_from_db()
    ri.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2, job.error
    assert ri.status == ImportStatus.DONE and ri.created_count == 30
    assert Member.objects.count() == before + 30
    assert MembershipHistory.objects.filter(event="import").count() == 30
    assert jobs.run(job.pk) == "taken"
    jobs.recover("gonghui@host")  # again: nothing more
    assert Member.objects.count() == before + 30


def test_a_check_killed_midway_starts_over(cast: Cast) -> None:
    officer = cast.district_a_officer
    ri = roster.roster_upload(actor=officer, union=cast.district_a, content=workbook(5))
    job = roster_job_start(ri, step="check", actor=officer)
    crashed(job)
    transition(ri, to=ImportStatus.CHECKING, from_=[ImportStatus.UPLOADED], stamp=None,
               changes={"processed_rows": 2})
    jobs.recover("gonghui@host")
    ri.refresh_from_db()
    job.refresh_from_db()
    assert ri.status == ImportStatus.CHECKED and ri.valid_rows == 5 and job.status == JobStatus.DONE
    assert "5 行检查通过" in job.result["summary"]


def test_a_worker_without_the_upload_fails_with_a_chinese_message(cast: Cast) -> None:
    officer = cast.district_a_officer
    ri = roster.roster_upload(actor=officer, union=cast.district_a, content=workbook(2))
    default_storage.delete(ri.file.name)  # a worker host that does not share MEDIA_ROOT
    job = roster_job_start(ri, step="check", actor=officer)
    jobs.run(job.pk)
    ri.refresh_from_db()
    job.refresh_from_db()
    assert ri.status == ImportStatus.FAILED and ri.message == MISSING_UPLOAD
    assert job.status == JobStatus.FAILED and job.error == MISSING_UPLOAD
    page = cast.client("district_a_officer").get(f"/console/members/import/{ri.uuid}/").content.decode()
    assert "找不到" in page and "意外错误" not in page


def test_the_import_page_says_submitted_while_the_job_waits(cast: Cast) -> None:
    ri = roster.roster_upload(actor=cast.district_a_officer, union=cast.district_a, content=workbook(2))
    roster_job_start(ri, step="check", actor=cast.district_a_officer)  # not run: no worker yet
    page = cast.client("district_a_officer").get(f"/console/members/import/{ri.uuid}/").content.decode()
    assert "已提交，正在处理" in page and RosterImport.objects.get().status == ImportStatus.UPLOADED


def test_the_page_polls_a_commit_the_worker_has_not_claimed_yet(cast: Cast) -> None:
    ri = roster.roster_check(job=roster.roster_upload(actor=cast.district_a_officer, union=cast.district_a,
                                                      content=workbook(2)))
    client = cast.client("district_a_officer")
    assert client.post(f"/console/members/import/{ri.uuid}/commit/").status_code == 302  # queued, not run
    page = client.get(f"/console/members/import/{ri.uuid}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "正在导入" in page and "确认导入 2 行" not in page


def test_the_import_audit_row_keeps_the_address_of_whoever_asked(cast: Cast) -> None:
    """The commit runs in the worker, yet its audit row has the requester's IP, user agent and channel."""
    from gonghui.core.context import audit_context
    from gonghui.core.models import AuditLog

    officer = cast.district_a_officer
    ri = roster.roster_check(job=roster.roster_upload(actor=officer, union=cast.district_a, content=workbook(3)))
    with audit_context(channel="web", ip="10.0.0.9", user_agent="Mozilla/5.0 (Linux; Android 14)"):
        job = roster_job_start(ri, step="commit", actor=officer)
    assert jobs.run(job.pk, worker="gonghui@host") == "done"  # the worker: no request, no address of its own
    row = AuditLog.objects.get(action="member.import")
    assert (row.ip, row.channel, row.user_agent) == ("10.0.0.9", "web", "Mozilla/5.0 (Linux; Android 14)")


def test_a_roster_is_checked_and_committed_chunk_by_chunk(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 4 rows: a duplicate across chunks is still refused, a member already on record is
    still an update, and the staged rows (one line per chunk) are all written in the one commit."""
    import io

    from gonghui.members.services.roster import jobs as roster_jobs

    monkeypatch.setattr(roster_jobs, "CHUNK_ROWS", 4)
    worker = cast.members["worker_a"]
    book = Workbook()
    sheet = book.active
    sheet.append(list(roster.HEADERS))
    ids = [id_number("630102", "19900101", f"{i:03d}") for i in range(9)]
    for i, number in enumerate(ids):
        sheet.append([f"成员{'甲乙丙丁戊己庚辛壬'[i]}", number, *[""] * 11])
    sheet.append(["成员重", ids[1], *[""] * 11])  # row 11: the same person as row 3, two chunks later
    sheet.append([worker.name, worker.id_number, *[""] * 11])  # row 12: already a member here
    buffer = io.BytesIO()
    book.save(buffer)
    officer = cast.district_a_officer
    ri = roster.roster_check(job=roster.roster_upload(actor=officer, union=cast.district_a, content=buffer.getvalue()))
    assert ri.status == ImportStatus.CHECKED, ri.message
    assert (ri.total_rows, ri.valid_rows, ri.error_rows) == (11, 10, 1)
    assert (ri.created_count, ri.updated_count + ri.unchanged_count) == (9, 1)
    assert [(e["row"], e["message"]) for e in ri.errors] == [(11, "身份证号码与第 3 行重复")]
    with default_storage.open(roster_jobs._staged_name(ri)) as handle:
        assert len([line for line in handle if line.strip()]) == 3  # rows 2–5, 6–9, 10–12 without 11
    before = Member.objects.count()
    ri = roster.roster_commit(job=ri, actor=officer)
    assert ri.status == ImportStatus.DONE and ri.created_count == 9, ri.message
    assert Member.objects.count() == before + 9
