"""Console pages of roster import (/console/members/import/…) and the member export
(/console/members/export.xlsx). The work is in services/roster/ and runs as jobs of core.jobs
(tasks.py) in the worker, while the job page polls its progress."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core import audit, jobs
from gonghui.core.decorators import staff_required
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.job_views import passive_poll
from gonghui.core.jobs import job_url
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.unmasking import Unmask, require_unmask
from gonghui.unions.access import access_union_for_work

from ...access import access_import
from ...exports import may_unmask, member_export_start, template_response, xlsx_response
from ...forms import ExportReasonForm, RosterUploadForm
from ...models import ImportStatus, RosterImport
from ...selectors import member_filters, member_search
from ...services import roster
from ...tasks import roster_job_start, roster_task_of

WORKING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.COMMITTING)


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
        return _upload_page(request, form, error=first)
    union = access_union_for_work(request.user, form.cleaned_data["union"])
    upload = form.cleaned_data["file"]
    if upload.size > roster.MAX_UPLOAD_BYTES:
        return _upload_page(request, form, error=roster.TOO_BIG_MESSAGE)
    try:
        job = roster.roster_upload(actor=request.user, union=union, content=upload.read(), filename=upload.name)
    except ValidationFailed as exc:
        return _upload_page(request, form, error=f"“{upload.name}”：{exc.message}")
    roster_job_start(job, step="check", actor=request.user)
    return redirect("members:import_job", key=job.uuid)


@staff_required
def import_template(request: HttpRequest) -> HttpResponse:
    return template_response()


def _job_context(request: HttpRequest, job: RosterImport) -> dict[str, Any]:
    task = roster_task_of(job)
    if task is not None:
        jobs.live(task)  # the commit's bar: reported from inside its one transaction
    return {
        "section": "members", "job": job, "stale": roster.stale(job), "task": task,
        # A commit just queued: the import is still 'checked' until the worker claims the job.
        "working": job.status in WORKING or (task is not None and task.working),
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
    """HTMX: the job's state; it polls itself every second while the job is working (a poll is not
    activity: it writes no session, which would wait for the commit's lock on SQLite)."""
    passive_poll(request)
    job = access_import(request.user, key)
    return render(request, "members/import_progress.html", _job_context(request, job))


@staff_required
@require_POST
def import_commit(request: HttpRequest, key: str) -> HttpResponse:
    job = access_import(request.user, key, write=True)
    if job.status == ImportStatus.CHECKED:
        roster_job_start(job, step="commit", actor=request.user)
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


@staff_required
def export_members(request: HttpRequest) -> HttpResponse:
    """The member list as .xlsx with the list's filters, built by the worker (core.jobs): the job page shows
    the bar and then the download. GET: masked. POST (the export page's form): unmasked, for those the
    unmasking policy allows, with a reason — the reason and the filters travel in the body, never in the
    URL (which access logs keep)."""
    unmasked, reason, params = False, "", request.GET
    if request.method == "POST":
        if not may_unmask(request.user):  # refused before the form: the denied row and the 403
            filters = member_filters(request.user, request.POST)
            require_unmask(request.user, None, Unmask.EXPORT, action="export.members",
                           audit_union=filters.union or audit.home_union(request.user),
                           detail={"unmasked": True, "reason": " ".join(request.POST.get("reason", "").split())[:200],
                                   "filters": filters.as_params()})
        form = ExportReasonForm(request.POST)
        if not form.is_valid():
            return export_form_page(request, form, params=request.POST)
        unmasked, reason, params = True, form.cleaned_data["reason"], request.POST
    elif request.GET.get("unmasked"):  # an old link: a reason must not be sent in the URL
        return export_form_page(request, ExportReasonForm(), error="导出完整信息请在本页填写原因后提交")
    try:
        job = member_export_start(request.user, params, unmasked=unmasked, reason=reason)
    except ValidationFailed as exc:  # too many members for one file
        return export_form_page(request, ExportReasonForm(), params=params, error=exc.message)
    return redirect(job_url(job))


def export_form_page(request: HttpRequest, form: ExportReasonForm, *, params: Any = None, error: str = "",
                     status: int = 200) -> HttpResponse:
    filters = member_filters(request.user, request.GET if params is None else params)
    return render(request, "members/export.html", {
        "section": "members", "form": form, "filters": filters, "params": filters.as_params(),
        "query": urlencode(filters.as_params()), "may_unmask": may_unmask(request.user), "error": error,
        "count": member_search(request.user, filters).count(),
    }, status=status)


@staff_required
def export_page(request: HttpRequest) -> HttpResponse:
    """Choose masked or (administrators, with a reason) unmasked before downloading."""
    return export_form_page(request, ExportReasonForm())
