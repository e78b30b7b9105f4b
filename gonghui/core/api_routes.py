"""/api/v1/core/: the caller's notifications and (admins, auditors) the audit log."""

# No ``from __future__ import annotations`` here: ninja resolves the parameter annotations of a
# @paginate-d view in ninja.pagination's namespace, where ``date`` is unknown, so string annotations
# made GET /audit (and the OpenAPI schema) fail with a PydanticUserError.
from datetime import date
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from .api import Page
from .models import AuditLog, Notification
from .schemas import AuditOut, NotificationOut
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
