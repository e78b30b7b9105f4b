"""What every page of both shells needs: the user's scope, the console sidebar, unread count, and in
the console the warning that a year's holiday arrangement is still missing (gonghui.lib.workdays)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from gonghui.core import modules, wechat
from gonghui.core.models import Notification
from gonghui.core.scope import scope_of
from gonghui.lib import workdays


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"scope": scope_of(user), "wechat_scan": wechat.enabled()}
    if request.path.startswith("/console/"):
        context["console_sections"] = modules.console_sections(user)
        context["calendar_warning"] = _calendar_warning
    if user is not None and user.is_authenticated:
        context["unread_count"] = lambda: Notification.objects.for_user(user).unread().count()
    return context


def _calendar_warning() -> str:
    missing = workdays.missing_years(timezone.localdate())
    return workdays.missing_message(missing, operator=False) if missing else ""
