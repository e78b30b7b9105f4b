"""Console pages of roster import (/console/members/import/…) and the member export
(/console/members/export.xlsx). The work is in services/roster/ and runs as tasks (tasks.py):
inline without a broker, in a worker with one, while the job page polls its progress."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote, urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.scope import WRITE_ROLES, Role, scope_of
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.access import access_union_for_work

from ...access import access_import
from ...forms import ExportReasonForm, RosterUploadForm
from ...models import ImportStatus, RosterImport
from ...selectors import member_filters, member_search
from ...services import roster
from ...tasks import enqueue, roster_check_task, roster_commit_task

WORKING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.COMMITTING)


def xlsx_response(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(filename)}")
    return response


def template_response() -> HttpResponse:
    return xlsx_response(roster.template_build(), roster.TEMPLATE_FILENAME, "member-roster-template.xlsx")


def _upload_page(request: HttpRequest, form: RosterUploadForm, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "members/import.html", {
        "section": "members", "form": form, "error": error, "unions": roster.import_unions(request.user)[:500],
        "jobs": roster.roster_imports(request.user)[:10], "columns": roster.COLUMNS,
        "max_mb": roster.MAX_UPLOAD_BYTES // 1024 // 1024, "max_rows": roster.MAX_ROWS,
    }, status=status)


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and recent imports. POST (union, file): keep the file and start the check
    (a dry run: nothing is written to the registry); then the job's page shows the report."""
    if not roster.can_import(request.user):
        raise Forbidden("您的角色无权导入会员")
    if request.method != "POST":
        return _upload_page(request, RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _upload_page(request, form, error=first, status=400)
    union = access_union_for_work(request.user, form.cleaned_data["union"])
    upload = form.cleaned_data["file"]
    if upload.size > roster.MAX_UPLOAD_BYTES:
        return _upload_page(request, form, error=roster.TOO_BIG_MESSAGE, status=400)
    try:
        job = roster.roster_upload(actor=request.user, union=union, content=upload.read(), filename=upload.name)
    except ValidationFailed as exc:
        return _upload_page(request, form, error=f"“{upload.name}”：{exc.message}", status=400)
    enqueue(roster_check_task, job.pk)
    return redirect("members:import_job", key=job.uuid)


@staff_required
def import_template(request: HttpRequest) -> HttpResponse:
    return template_response()


def _job_context(request: HttpRequest, job: RosterImport) -> dict[str, Any]:
    return {
        "section": "members", "job": job, "working": job.status in WORKING, "stale": roster.stale(job),
        "can_commit": job.status == ImportStatus.CHECKED and job.valid_rows > 0
        and scope_of(request.user).can(job.union.path, WRITE_ROLES),
        "can_fix": scope_of(request.user).can(job.union.path, WRITE_ROLES),
    }


@staff_required
def import_job(request: HttpRequest, key: str) -> HttpResponse:
    job = access_import(request.user, key)
    return render(request, "members/import_job.html", _job_context(request, job))


@staff_required
def import_progress(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: the job's state; it polls itself every second while the job is working."""
    job = access_import(request.user, key)
    return render(request, "members/import_progress.html", _job_context(request, job))


@staff_required
@require_POST
def import_commit(request: HttpRequest, key: str) -> HttpResponse:
    job = access_import(request.user, key, write=True)
    if job.status == ImportStatus.CHECKED:
        enqueue(roster_commit_task, job.pk, request.user.pk)
    elif job.status not in (ImportStatus.COMMITTING, ImportStatus.DONE):  # a second click just shows the job
        raise ValidationFailed("这次导入当前不能提交，请刷新后查看")
    return redirect("members:import_job", key=job.uuid)


@staff_required
@require_POST
def import_discard(request: HttpRequest, key: str) -> HttpResponse:
    job = access_import(request.user, key, write=True)
    roster.roster_discard(job=job, actor=request.user)
    return redirect("members:import_job", key=job.uuid)


@staff_required
def import_problems(request: HttpRequest, key: str) -> HttpResponse:
    """The refused rows of a checked import as .xlsx, each with a 问题 column: fixed, the file
    re-imports as it is. Full ID numbers as uploaded, so officers of the job's union only, audited."""
    job = access_import(request.user, key, write=True)
    content = roster.problems_workbook(job)
    audit.record("export.import_problems", actor=request.user, obj=job, union=job.union,
                 detail={"import": str(job.uuid), "rows": job.problem_rows})
    return xlsx_response(content, roster.PROBLEMS_FILENAME, "roster-problem-rows.xlsx")


def export_members_response(request: HttpRequest, params: Any, *, unmasked: bool, reason: str) -> HttpResponseBase:
    """The export (shared with the API). Preconditions: for ``unmasked`` the caller checked that the
    user is an administrator and gave a reason; the unmasked rows are limited to the unions the user
    administers. Every export writes an audit row."""
    scope = scope_of(request.user)
    filters = member_filters(request.user, params)
    qs = member_search(request.user, filters)
    if unmasked and not scope.is_superuser:
        qs = qs.filter(scope.q("union__path", {Role.ADMIN}))
    count = qs.count()
    if count > roster.EXPORT_MAX_ROWS:
        raise ValidationFailed(f"符合条件的会员有 {count} 人，一次最多导出 {roster.EXPORT_MAX_ROWS} 人，请缩小筛选范围",
                               code="export_too_large")
    # Written to an anonymous temporary file and streamed from there: memory stays flat at 200,000 rows.
    handle = tempfile.TemporaryFile()  # closed by the FileResponse once sent
    try:
        roster.export_write(qs, unmasked=unmasked, target=handle)
    except BaseException:
        handle.close()
        raise
    audit.record("export.members", actor=request.user, union=filters.union, detail={
        "rows": count, "unmasked": unmasked, "reason": reason[:200], "filters": filters.as_params()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f'attachment; filename="members-{stamp}.xlsx"; '
                                       f"filename*=UTF-8''{quote(f'会员名册-{stamp}.xlsx')}")
    return response


def may_unmask(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths({Role.ADMIN}))


@staff_required
def export_members(request: HttpRequest) -> HttpResponseBase:
    """The member list as .xlsx with the list's filters: masked; ``unmasked=1`` for administrators
    with a reason (otherwise 403, or 400 and the reason form)."""
    unmasked = request.GET.get("unmasked") == "1"
    reason = ""
    if unmasked:
        if not may_unmask(request.user):
            raise Forbidden("只有管理员可以导出完整的身份证号码和手机号码")
        form = ExportReasonForm(request.GET)
        if not form.is_valid():
            return export_form_page(request, form, status=400)
        reason = form.cleaned_data["reason"]
    try:
        return export_members_response(request, request.GET, unmasked=unmasked, reason=reason)
    except ValidationFailed as exc:
        return export_form_page(request, ExportReasonForm(), error=exc.message, status=400)


def export_form_page(request: HttpRequest, form: ExportReasonForm, *, error: str = "",
                     status: int = 200) -> HttpResponse:
    filters = member_filters(request.user, request.GET)
    return render(request, "members/export.html", {
        "section": "members", "form": form, "filters": filters, "params": filters.as_params(),
        "query": urlencode(filters.as_params()), "may_unmask": may_unmask(request.user), "error": error,
        "count": member_search(request.user, filters).count(),
    }, status=status)


@staff_required
def export_page(request: HttpRequest) -> HttpResponse:
    """Choose masked or (administrators, with a reason) unmasked before downloading."""
    return export_form_page(request, ExportReasonForm())
