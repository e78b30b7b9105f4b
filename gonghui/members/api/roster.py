"""/api/v1/members/imports…: roster import. Upload → the dry run's report → commit.

The check and the commit run as tasks (members/tasks.py): inline without a broker, so the answer
already carries the report; with a broker the job comes back 'uploaded' and is polled with GET.
"""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.access import access_union_for_work

from ..access import access_import
from ..models import ImportStatus, RosterImport
from ..schemas import ImportOut
from ..services import roster
from ..tasks import enqueue, roster_check_task, roster_commit_task
from ..views.staff.roster import template_response

router = Router(tags=["花名册导入"])


@router.get("/imports/template", response={200: None}, summary="下载花名册导入模板",
            openapi_extra={"responses": {"200": {"description": "导入模板（.xlsx）", "content": {XLSX_MIME: {}}}}})
def import_template(request: HttpRequest) -> HttpResponse:
    return template_response()


@router.post("/imports", response={201: ImportOut}, summary="上传花名册并检查（不写入会员库）")
def import_upload(request: HttpRequest, file: File[UploadedFile], union: Form[UUID]) -> Status:
    """Keep the .xlsx and check every row. Row problems come back in ``errors`` (row, column,
    message); a file that is plainly not an .xlsx is a 400; one that cannot be read as a roster
    (wrong headers, too many rows …) gives status "failed" with the reason in ``message``."""
    if not roster.can_import(request.user):
        raise Forbidden("您的角色无权导入会员")
    target = access_union_for_work(request.user, union)
    if file.size > roster.MAX_UPLOAD_BYTES:
        raise ValidationFailed(roster.TOO_BIG_MESSAGE, code="file_too_large")
    job = roster.roster_upload(actor=request.user, union=target, content=file.read(), filename=file.name or "")
    enqueue(roster_check_task, job.pk)
    job.refresh_from_db()
    return Status(201, job)


@router.get("/imports/{uuid:key}", response=ImportOut, summary="导入进度与检查结果")
def import_get(request: HttpRequest, key: UUID) -> RosterImport:
    return access_import(request.user, key)


@router.post("/imports/{uuid:key}/commit", response=ImportOut, summary="确认导入检查通过的行（一个事务）")
def import_commit(request: HttpRequest, key: UUID) -> RosterImport:
    job = access_import(request.user, key, write=True)
    if job.status not in (ImportStatus.CHECKED, ImportStatus.COMMITTING, ImportStatus.DONE):
        raise Conflict("这次导入当前不能提交（可能仍在检查或已失败）")
    if job.status == ImportStatus.CHECKED:
        enqueue(roster_commit_task, job.pk, request.user.pk)
    job.refresh_from_db()
    return job


@router.post("/imports/{uuid:key}/discard", response=ImportOut, summary="放弃已检查的导入")
def import_discard(request: HttpRequest, key: UUID) -> RosterImport:
    job = access_import(request.user, key, write=True)
    return roster.roster_discard(job=job, actor=request.user)
