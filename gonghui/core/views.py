"""站内信 (H5 and console) and the audit log browser (console, admins and auditors).

``notification_of``, ``notification_mark_read`` and ``audit_reader`` are shared with the API (api_routes.py),
so each lookup and gate is written once.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_required

from .errors import Forbidden
from .models import AuditLog, AuditResult, Notification
from .scope import AUDIT_ROLES, owned, scope_of


def notification_of(user: Any, key: Any) -> Notification:
    """One of ``user``'s own notifications; NotFound otherwise (someone else's, unknown, a bad key)."""
    owner = user if getattr(user, "is_authenticated", False) else None
    return owned(Notification.objects.all(), owner=owner, via="recipient", message="未找到该消息", uuid=key)


def notification_mark_read(note: Notification) -> Notification:
    """Mark ``note`` read (once: the first reading time is kept)."""
    if note.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=now):
            note.read_at = now
        else:  # read meanwhile (another tab): keep that time
            note.refresh_from_db(fields=["read_at"])
    return note


def audit_reader(user: Any) -> None:
    """The audit log is for administrators and auditors (at some union) and superusers: Forbidden else."""
    scope = scope_of(user)
    if not scope.is_superuser and not scope.paths(AUDIT_ROLES):
        raise Forbidden("审计日志仅供管理员和审计员查看")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.for_user(request.user)
    page = Paginator(notes, 20).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "tab": "inbox"})


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    return redirect("core:inbox")


@login_required
def notification_open(request: HttpRequest, key: str) -> HttpResponse:
    note = notification_mark_read(notification_of(request.user, key))
    # Only a path on this site: "//host/…" and "/\\host/…" also start with "/" but leave it.
    if note.url.startswith("/") and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect(note.url)
    return redirect("core:inbox")


def _parse_day(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d")  # noqa: DTZ007 - made aware below
    except (TypeError, ValueError):
        return None


def audit_filtered(request: HttpRequest):
    """The audit rows the caller may read, filtered by the query string."""
    qs = AuditLog.objects.visible_to(request.user)
    params = request.GET
    if params.get("action"):
        qs = qs.filter(action__startswith=params["action"][:60])
    if params.get("result") in AuditResult.values:
        qs = qs.filter(result=params["result"])
    if params.get("user"):
        qs = qs.filter(user_label__icontains=params["user"][:50])
    if params.get("union"):
        qs = qs.filter(union_name__icontains=params["union"][:50])
    start, end = _parse_day(params.get("from", "")), _parse_day(params.get("to", ""))
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(start, time.min), tz))
    if end:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(end, time.max), tz))
    return qs


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    audit_reader(request.user)
    page = Paginator(audit_filtered(request), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {
        "section": "audit", "page": page, "results": AuditResult.choices, "params": request.GET,
    })
