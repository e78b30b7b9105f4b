"""What every page of both shells needs: the user's scope, the console sidebar, unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gonghui.core import modules
from gonghui.core.models import Notification
from gonghui.core.scope import scope_of


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"scope": scope_of(user)}
    if request.path.startswith("/console/"):
        context["console_sections"] = modules.console_sections(user)
    if user is not None and user.is_authenticated:
        context["unread_count"] = lambda: Notification.objects.for_user(user).unread().count()
    return context
