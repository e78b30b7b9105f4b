"""/api/v1/core/: the caller's notifications, their background jobs, and (admins, auditors) the audit log."""

# No ``from __future__ import annotations`` here: ninja resolves the parameter annotations of a
# @paginate-d view in ninja.pagination's namespace, where ``date`` is unknown, so string annotations
# made GET /audit (and the OpenAPI schema) fail with a PydanticUserError.
from datetime import date
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from .api import Page
from .job_views import access_job, job_file_response
from .models import AuditLog, Job, Notification
from .schemas import AuditOut, JobOut, NotificationOut
from .views import audit_reader, notification_mark_read, notification_of

router = Router(tags=["站内信与审计"])


@router.get("/notifications", response=list[NotificationOut], summary="我的消息")
@paginate(Page)
def notifications(request: HttpRequest, unread: bool = False):
    qs = Notification.objects.for_user(request.user)
    return qs.unread() if unread else qs


@router.post("/notifications/{key}/read", response=NotificationOut, summary="标记已读")
def notification_read(request: HttpRequest, key: UUID) -> Notification:
    return notification_mark_read(notification_of(request.user, key))


@router.get("/jobs/{uuid:key}", response=JobOut, summary="后台任务的进度与结果（仅发起人）")
def job(request: HttpRequest, key: UUID) -> Job:
    """Poll this after an endpoint answered with a job (e.g. 免申即享 发布): ``status`` goes from
    queued/running to done or failed; another user's job is a 404 like one that does not exist."""
    return access_job(request.user, key)


@router.get("/jobs/{uuid:key}/download", response={200: None}, summary="下载后台任务的结果文件（仅发起人，留审计）",
            openapi_extra={"responses": {"200": {"description": "结果文件",
                                                  "content": {"application/octet-stream": {}}}}})
def job_download(request: HttpRequest, key: UUID) -> HttpResponse:
    return job_file_response(request.user, access_job(request.user, key))


@router.get("/audit", response=list[AuditOut], summary="审计日志（管理员、审计员）")
@paginate(Page)
def audit(request: HttpRequest, action: str = "", result: str = "", since: date | None = None,
          until: date | None = None):
    audit_reader(request.user)
    qs = AuditLog.objects.visible_to(request.user)
    if action:
        qs = qs.filter(action__startswith=action[:60])
    if result:
        qs = qs.filter(result=result)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs
