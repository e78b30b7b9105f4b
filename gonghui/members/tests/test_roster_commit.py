"""The roster commit: the check's duplicate look-up is not done twice — the unique ID index decides
whether someone registered one of the new people meanwhile, and only then is the chunk resolved
again (the member found is updated, or the row refused, as the check would have done) — and its bar
moves while its one transaction runs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from gonghui.core import jobs
from gonghui.core.models import Job, JobStatus
from gonghui.members.models import ImportStatus, Member, RosterImport
from gonghui.members.services import roster
from gonghui.members.services.registry import member_create
from gonghui.members.services.roster import jobs as roster_jobs
from gonghui.members.tasks import roster_job_start
from gonghui.testing import Cast, id_number

pytestmark = pytest.mark.django_db

IDS = [id_number("630102", "19900101", f"{i:03d}") for i in range(6)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def checked(cast: Cast, people: list[tuple[str, str]]) -> RosterImport:
    book = Workbook()
    sheet = book.active
    sheet.append(list(roster.HEADERS))
    for name, number in people:
        sheet.append([name, number, *[""] * 11])
    buffer = io.BytesIO()
    book.save(buffer)
    ri = roster.roster_upload(actor=cast.district_a_officer, union=cast.district_a, content=buffer.getvalue())
    ri = roster.roster_check(job=ri)
    assert ri.status == ImportStatus.CHECKED, ri.message
    return ri


def index(number: str) -> str:
    return Member._meta.get_field("id_index").compute(number)


PEOPLE = [("成员甲", IDS[0]), ("成员乙", IDS[1]), ("成员丙", IDS[2])]


def test_it_does_not_look_up_again_the_people_the_check_found_nobody_for(cast: Cast) -> None:
    worker = cast.members["worker_a"]
    ri = checked(cast, [*PEOPLE, (worker.name, worker.id_number)])
    with CaptureQueriesContext(connection) as queries:
        ri = roster.roster_commit(job=ri, actor=cast.district_a_officer)
    assert (ri.status, ri.created_count, ri.updated_count + ri.unchanged_count) == (ImportStatus.DONE, 3, 1)
    lookups = [q["sql"] for q in queries.captured_queries
               if "members_member" in q["sql"] and "id_index" in q["sql"] and q["sql"].lstrip().startswith("SELECT")]
    assert len(lookups) == 1  # the member to update, looked up again; the three new ones not
    assert worker.id_index in lookups[0] and not any(index(n) in lookups[0] for _, n in PEOPLE)


def test_someone_registered_in_the_branch_meanwhile_is_updated_not_refused(cast: Cast) -> None:
    ri = checked(cast, PEOPLE)
    member_create(actor=None, union=cast.grassroots_a, name="成员乙", id_number=IDS[1])  # under district A
    ri = roster.roster_commit(job=ri, actor=cast.district_a_officer)
    assert ri.status == ImportStatus.DONE and ri.error_rows == 0, ri.errors
    assert (ri.created_count, ri.updated_count + ri.unchanged_count) == (2, 1)
    for _, number in PEOPLE:
        assert Member.objects.filter(id_index=index(number)).count() == 1


def test_only_the_chunk_with_the_newcomer_is_resolved_again(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_jobs, "CHUNK_ROWS", 1)
    ri = checked(cast, PEOPLE)
    member_create(actor=None, union=cast.grassroots_b, name="成员丙", id_number=IDS[2])  # another branch
    resolved: list[tuple[int, bool]] = []
    original = roster_jobs._resolve

    def spy(*args: Any, trust_new: bool = False, **kwargs: Any) -> Any:
        resolved.append((args[2][0][0] if args[2] else 0, trust_new))
        return original(*args, trust_new=trust_new, **kwargs)

    monkeypatch.setattr(roster_jobs, "_resolve", spy)
    ri = roster.roster_commit(job=ri, actor=cast.district_a_officer)
    assert ri.status == ImportStatus.DONE and (ri.created_count, ri.error_rows) == (2, 1)
    assert "会籍转移" in ri.errors[0]["message"] and ri.errors[0]["row"] == 4
    assert resolved == [(2, True), (3, True), (4, True), (4, False)]  # row 4's chunk, once more
    assert Member.objects.get(id_index=index(IDS[2])).union == cast.grassroots_b


def test_the_commit_bar_moves_chunk_by_chunk_inside_its_transaction(
        cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_jobs, "CHUNK_ROWS", 1)
    ri = checked(cast, PEOPLE)
    shown: list[tuple[int, int, int, str]] = []  # (row's done, live done, live total, the import page)
    client = cast.client("district_a_officer")

    def after_report(done: int, total: int | None = None) -> None:
        report(done, total)
        task = Job.objects.get(kind="members.roster_commit")
        page = client.get(f"/console/members/import/{ri.uuid}/progress/").content.decode()
        shown.append((task.done, jobs.live(task).done, jobs.live(task).total, page))

    report = jobs.report
    monkeypatch.setattr(jobs, "report", after_report)
    with TestCase.captureOnCommitCallbacks(execute=True):
        task = roster_job_start(ri, step="commit", actor=cast.district_a_officer)
    task.refresh_from_db()
    assert task.status == JobStatus.DONE, task.error
    inside = shown[1:-1]  # the handler's own 0 before and 3 after are outside the transaction
    assert [(row, done, total) for row, done, total, _ in inside] == [(0, 1, 3), (0, 2, 3), (0, 3, 3)]
    assert "已写入 1 / 3 行" in inside[0][3] and 'value="33"' in inside[0][3]
    assert "已写入 2 / 3 行" in inside[1][3]
    ri.refresh_from_db()
    assert ri.status == ImportStatus.DONE and ri.created_count == 3
