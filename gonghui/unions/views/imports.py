"""Console pages of the Excel import of unions and employers: template download, upload → check
(dry run) → confirm → commit. The logic is in services/imports.py and runs in the worker (tasks.py,
jobs of core.jobs); these views parse, gate, start the jobs and render their reports.

Between the check and the confirmation the upload waits in MEDIA_ROOT/imports under a random name
that only the check job knows (its page is the uploader's alone); the commit takes it once, and it is
deleted on commit or cancel; a sweep on each upload removes files left behind by abandoned checks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_required
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.job_views import access_job
from gonghui.core.jobs import job_url
from gonghui.core.models import Job, JobStatus
from gonghui.lib.excel import XLSX_MIME

from ..services import imports as importing
from ..tasks import GONE, import_job_start


def template_response(kind: str) -> HttpResponse:
    """The template as a download (shared with the API)."""
    response = HttpResponse(importing.template_build(kind), content_type=XLSX_MIME)
    response["Content-Disposition"] = (f"attachment; filename=\"{kind}-import-template.xlsx\"; "
                                       f"filename*=UTF-8''{quote(importing.template_filename(kind))}")
    return response


@staff_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    importing.import_gate(request.user, kind)
    return template_response(kind)


# --- Pages ----------------------------------------------------------------------------------------------


def _page(request: HttpRequest, *, report: Any = None, token: str = "", error: str = "", kind: str = "",
          filename: str = "", status: int = 200) -> HttpResponse:
    kinds = importing.importable_kinds(request.user)
    section = "employers" if (report.kind if report else kind) == "employers" else "unions"
    return render(request, "unions/import.html", {
        "section": section, "report": report, "token": token, "error": error, "kind": kind, "filename": filename,
        "can_unions": "unions" in kinds, "can_employers": "employers" in kinds,
        "max_mb": importing.MAX_UPLOAD_BYTES // 1024 // 1024, "max_rows": importing.MAX_ROWS,
        "union_columns": importing.UNION_COLUMNS, "employer_columns": importing.EMPLOYER_COLUMNS,
    }, status=status)


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the two upload forms. POST (kind, file): keep the file and check every row in the worker;
    the job page shows the bar, then the report (import_report). Nothing is written yet — the valid
    rows are imported when the user confirms (import_commit)."""
    if not importing.importable_kinds(request.user):
        raise Forbidden("您的角色无权导入数据")
    if request.method != "POST":
        return _page(request)
    kind = request.POST.get("kind", "")
    importing.import_gate(request.user, kind)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, kind=kind, error="请选择要上传的 Excel 文件")
    if upload.size > importing.MAX_UPLOAD_BYTES:
        return _page(request, kind=kind,
                     error=f"文件过大，请不要超过 {importing.MAX_UPLOAD_BYTES // 1024 // 1024} MB；"
                           "数据较多时请拆分成几个文件分批导入")
    token = importing.upload_keep(upload.read())
    job = import_job_start(actor=request.user, kind=kind, token=token, filename=upload.name or "", dry_run=True)
    return redirect(f"{job_url(job)}?land=1")


def _import_job(request: HttpRequest, key: str) -> Job:
    job = access_job(request.user, key)  # the uploader's own job: anyone else gets a 404
    if job.kind != "unions.import":
        raise NotFound("未找到该任务")
    return job


@staff_required
def import_report(request: HttpRequest, key: str) -> HttpResponse:
    """The report of a check or an import job; a check with valid rows offers the confirmation."""
    job = _import_job(request, key)
    if job.status != JobStatus.DONE or "total" not in job.result:
        return redirect(f"{job_url(job)}?land=1")  # still working, or failed: the job page says so
    report = importing.KeptReport.of(job.result)
    params = job.params
    waiting = report.dry_run and report.valid > 0 and importing.upload_exists(params.get("token", ""))
    return _page(request, report=report, token=str(job.uuid) if waiting else "", kind=report.kind,
                 filename=params.get("filename", ""))


@staff_required
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    """Import the valid rows of a checked upload (action=commit: a job, once), or drop it (action=cancel).
    ``token`` is the check job's uuid."""
    if not importing.importable_kinds(request.user):
        raise Forbidden("您的角色无权导入数据")
    key = request.POST.get("token", "")
    try:
        check = _import_job(request, UUID(key))
    except ValueError:
        raise NotFound("未找到该任务") from None
    params = check.params
    if request.POST.get("action") == "cancel":
        importing.upload_drop(params.get("token", ""))
        messages.info(request, "已取消本次导入，没有导入任何数据")
        return redirect("unions:import")
    importing.import_gate(request.user, params.get("kind", ""))
    taken = importing.upload_take(params.get("token", "")) if params.get("dry_run") else None
    if taken is None:
        messages.error(request, GONE)
        return redirect("unions:import")
    job = import_job_start(actor=request.user, kind=params["kind"], token=taken, filename=params.get("filename", ""),
                           dry_run=False)
    return redirect(f"{job_url(job)}?land=1")
