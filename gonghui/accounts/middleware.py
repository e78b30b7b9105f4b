"""Staff sessions end after STAFF_IDLE_TIMEOUT without a request (members stay signed in longer)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LAST_SEEN = "gonghui_last_seen"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and user.is_union_staff:
            now = timezone.now().timestamp()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                request.session["idle_logout"] = True
            else:
                request.session[LAST_SEEN] = now
                request.session.set_expiry(int(settings.STAFF_IDLE_TIMEOUT.total_seconds()))
        return self.get_response(request)
