"""The member export: masked by default, unmasked only for administrators who give a reason, every
export audited with its row count, reason and filters — HTML and API, whole cast."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from openpyxl import load_workbook

from gonghui.core.models import AuditLog, Job, JobStatus, Notification
from gonghui.members.models import ImportStatus, Member
from gonghui.members.services import roster
from gonghui.testing import OK, Cast, scope_matrix

pytestmark = pytest.mark.django_db


def export(client: Any, params: dict[str, str] | None = None, *, post: bool = False) -> Any:
    """The console export: it starts a job (run by the worker, here inline after the commit) whose
    page offers the download; returns the download."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = (client.post if post else client.get)("/console/members/export.xlsx", params or {})
    assert started.status_code == 302 and started["Location"].startswith("/console/jobs/"), started
    page = client.get(started["Location"])
    job = Job.objects.get(uuid=page.context["job"].uuid)
    assert job.status == JobStatus.DONE, job.error
    assert f"/console/jobs/{job.uuid}/download/" in page.content.decode()
    download = client.get(f"/console/jobs/{job.uuid}/download/")
    assert download.status_code == 200
    return download  # streamed from the job's file


def api_export(client: Any, params: dict[str, str] | None = None, *, post: bool = False) -> Any:
    """The API export: 202 with the job (run inline after the commit here); its ``url`` answers the
    progress and then ``download``; returns the download."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        if post:
            started = client.post("/api/v1/members/export", params or {}, content_type="application/json")
        else:
            started = client.get("/api/v1/members/export", params or {})
    assert started.status_code == 202, started.content[:500]
    job = started.json()
    assert job["status"] == "queued" and job["message"] == "已提交，正在处理"
    assert job["url"] == f"/api/v1/core/jobs/{job['uuid']}"
    polled = client.get(job["url"]).json()
    assert polled["status"] == "done", polled
    assert polled["download"] == f"/api/v1/core/jobs/{job['uuid']}/download"
    return client.get(polled["download"])


def body(response: Any) -> bytes:
    """The response's bytes; a streamed one is read once and kept."""
    if not hasattr(response, "_read_body"):
        response._read_body = response.getvalue()
    return response._read_body


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, body(response)[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.streaming  # from a file, never the whole workbook in memory
    sheet = load_workbook(io.BytesIO(body(response))).active
    values = list(sheet.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_it_exports_masked_by_default_and_audits(cast: Cast) -> None:
    response = export(cast.client("district_a_officer"), {"form": "gig"})
    found = rows(response)
    worker = cast.members["gig_worker_a"]
    assert [r["姓名"] for r in found] == ["李骑手"]
    assert found[0]["身份证号码"] == worker.masked_id_number and "*" in found[0]["手机号码"]
    assert worker.id_number.encode() not in body(response) and worker.phone.encode() not in body(response)
    log = AuditLog.objects.get(action="export.members")
    assert log.detail == {"rows": 1, "unmasked": False, "reason": "", "filters": {"form": "gig"}}


def test_it_exports_only_within_the_scope(cast: Cast) -> None:
    names = {r["姓名"] for r in rows(export(cast.client("district_a_officer")))}
    assert names == {"王小明", "李骑手", "陈劳模"}
    response = cast.client("district_a_officer").get("/console/members/export.xlsx",
                                                     {"union": str(cast.district_b.uuid)})
    assert response.status_code == 404


def test_it_refuses_unmasked_exports_to_officers_and_viewers(cast: Cast) -> None:
    for actor in ("district_a_officer", "district_a_viewer", "city_officer"):
        response = cast.client(actor).post("/console/members/export.xlsx", {"reason": "上报"})
        assert response.status_code == 403, actor
        api = cast.client(actor, api=True).post("/api/v1/members/export", {"reason": "上报"},
                                                content_type="application/json")
        assert api.status_code == 403, actor
    # each refused attempt leaves one complete row; nothing was exported
    refused = AuditLog.objects.filter(action="export.members")
    assert refused.count() == 6 and {row.result for row in refused} == {"denied"}
    assert {row.user for row in refused} == {cast.district_a_officer, cast.district_a_viewer, cast.city_officer}
    assert all(row.detail["reason"] == "上报" and row.detail["unmasked"] is True for row in refused)
    assert {row.channel for row in refused} == {"web", "api"}


def test_it_asks_an_administrator_for_a_reason(cast: Cast) -> None:
    response = cast.client("district_a_admin").post("/console/members/export.xlsx", {"reason": " "})
    assert response.status_code == 200 and "导出完整信息须填写原因" in response.content.decode()
    api = cast.client("district_a_admin", api=True).post("/api/v1/members/export", {"reason": " "},
                                                         content_type="application/json")
    assert api.status_code == 400 and api.json()["message"] == "导出完整信息须填写原因"
    assert not AuditLog.objects.filter(action="export.members").exists()


def test_it_exports_unmasked_with_a_reason_and_audits_it(cast: Cast) -> None:
    response = export(cast.client("district_a_admin"), {"reason": "报送实名信息", "q": "wxm"}, post=True)
    found = rows(response)
    worker = cast.members["worker_a"]
    assert found[0]["身份证号码"] == worker.id_number and found[0]["手机号码"] == worker.phone
    log = AuditLog.objects.get(action="export.members")
    assert log.detail == {"rows": 1, "unmasked": True, "reason": "报送实名信息", "filters": {"q": "wxm"}}
    assert log.user == cast.district_a_admin
    api = api_export(cast.client("province_admin", api=True), {"reason": "年度统计"}, post=True)
    assert {r["姓名"] for r in rows(api)} == {"王小明", "李骑手", "陈劳模", "赵师傅"}
    assert AuditLog.objects.filter(action="export.members", detail__unmasked=True).count() == 2


def test_it_shows_the_export_choices(cast: Cast) -> None:
    page = cast.client("district_a_admin").get("/console/members/export/", {"form": "gig"}).content.decode()
    assert "脱敏导出" in page and "完整信息导出" in page and "共 1 人" in page
    page = cast.client("district_a_officer").get("/console/members/export/").content.decode()
    assert "脱敏导出" in page and "完整信息导出" not in page


def test_it_reimports_an_unmasked_export(cast: Cast, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    content = body(export(cast.client("district_a_admin"), {"reason": "迁移系统"}, post=True))
    job = roster.roster_upload(actor=cast.district_a_admin, union=cast.district_a, content=content)
    job = roster.roster_check(job=job)
    assert job.status == ImportStatus.CHECKED and job.errors == [] and job.warnings == []
    assert (job.updated_count, job.unchanged_count, job.valid_rows) == (0, 3, 3)  # nothing to change
    roster.roster_commit(job=job, actor=cast.district_a_admin)
    assert Member.objects.count() == 4


def test_it_gates_the_export(cast: Cast) -> None:
    # A list is never a 404: out-of-scope callers get their own (empty) list; anonymous must log in.
    everyone = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}
    scope_matrix(cast, lambda c, _: c.get("/console/members/export.xlsx"), api=False, overrides=everyone)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/members/export"), overrides=everyone)
    admins = {**everyone, "district_a_officer": 403, "city_officer": 403, "district_a_viewer": 403,
              "grassroots_a_officer": 403, "district_b_officer": 403, "other_city_officer": 403}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/members/export", {"reason": "核对"},
                                           content_type="application/json"), overrides=admins)


def test_it_keeps_the_reason_out_of_the_url(cast: Cast) -> None:
    """The unmasked export is a POST: its reason (and filters) travel in the body, never in a URL that
    access logs keep; a URL asking for it exports nothing unmasked."""
    page = cast.client("district_a_admin").get("/console/members/export/").content.decode()
    form = page.split("完整信息导出")[1].split("</form>")[0]
    assert 'method="post"' in form and 'name="reason"' in form and "unmasked" not in form
    worker = cast.members["worker_a"]
    old = cast.client("district_a_admin").get("/console/members/export.xlsx", {"unmasked": "1", "reason": "上报"})
    assert old.status_code == 200 and worker.id_number.encode() not in old.content
    api = api_export(cast.client("district_a_admin", api=True), {"unmasked": "true", "reason": "上报"})
    assert worker.id_number not in str(rows(api)) and worker.masked_id_number in str(rows(api))
    assert not AuditLog.objects.filter(action="export.members", detail__unmasked=True).exists()


def test_it_exports_masked_through_the_api_as_a_job(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    found = rows(api_export(client, {"form": "gig"}))
    worker = cast.members["gig_worker_a"]
    assert [r["姓名"] for r in found] == ["李骑手"] and found[0]["身份证号码"] == worker.masked_id_number
    job = Job.objects.get(kind="members.export")
    assert job.owner == cast.district_a_officer and job.params["filters"] == {"form": "gig"}
    log = AuditLog.objects.get(action="export.members")
    assert log.detail == {"rows": 1, "unmasked": False, "reason": "", "filters": {"form": "gig"}}
    assert log.channel == "api"  # the worker's audit row says where the export was asked from
    assert Notification.objects.filter(recipient=cast.district_a_officer, title="「导出会员名册」已完成").exists()
    # another user polling the job gets the 404 of a job that does not exist
    assert cast.client("district_a_admin", api=True).get(f"/api/v1/core/jobs/{job.uuid}").status_code == 404


def test_it_refuses_a_too_large_export_before_queueing(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "EXPORT_MAX_ROWS", 2)
    api = cast.client("district_a_officer", api=True).get("/api/v1/members/export")
    assert api.status_code == 400 and api.json()["code"] == "export_too_large"
    assert "一次最多导出 2 人" in api.json()["message"]
    page = cast.client("district_a_officer").get("/console/members/export.xlsx")
    assert page.status_code == 200 and "一次最多导出 2 人" in page.content.decode()
    assert not Job.objects.exists()


def test_it_fails_the_job_in_chinese_and_keeps_nothing(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster, "export_write", broken)
    client = cast.client("district_a_officer", api=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.get("/api/v1/members/export").json()
    polled = client.get(started["url"]).json()
    assert polled["status"] == "failed" and polled["download"] is None
    assert polled["message"].startswith("处理时出现意外错误，没有保存任何结果")
    assert not AuditLog.objects.filter(action="export.members").exists()
    assert Job.objects.get(uuid=started["uuid"]).result_file.name == ""
