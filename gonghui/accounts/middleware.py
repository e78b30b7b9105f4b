"""Staff sessions end after STAFF_IDLE_TIMEOUT without a request (members stay signed in longer); staff
sessions need the second factor; a forced password change comes first."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
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


# Paths a session with a pending second factor or a forced password change may still reach.
_OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/media/", "/favicon", "/healthz", "/readyz")


class SecondFactorMiddleware:
    """Staff who must pass a second factor get no signed-in session without it, and a forced password
    change comes before anything else.

    * A signed-in session of a user who must pass a second factor but whose session lacks the mark (appointed
      while signed in, or a session from before enrolment was required) is turned back into a pending
      sign-in: signed out, and sent to the code step (or enrolment).
    * A pending sign-in (password passed, code due) is sent to the code step from the console and the admin
      (where the sign-in was going); elsewhere, and on the API, it is simply not signed in.
    * A user flagged ``must_change_password`` is sent to the password page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import second_factor as sf

        path = request.path
        if path.startswith(_OPEN_PREFIXES) or not hasattr(request, "session"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        api = path.startswith("/api/")
        if user is not None and user.is_authenticated:
            if not sf.session_verified(request.session, user) and sf.requires_second_factor(user):
                logout(request)
                sf.set_pending(request.session, user, "" if api else request.get_full_path())
                if api:
                    return self.get_response(request)
                return redirect(step_url(user, request.get_full_path()))
            if user.must_change_password and not api and path != reverse("accounts:password"):
                return redirect(reverse("accounts:password"))
            return self.get_response(request)
        if path.startswith(("/console/", "/admin/")) and sf.SESSION_PENDING in request.session:
            pending, next_url = sf.pending_user(request.session)
            if pending is not None:
                return redirect(step_url(pending, next_url or request.get_full_path()))
        return self.get_response(request)


def step_url(user: object, next_url: str) -> str:
    from . import second_factor as sf

    name = "accounts:second_factor_enrol" if sf.must_enrol(user) else "accounts:second_factor"
    query = f"?{urlencode({'next': next_url})}" if next_url and next_url.startswith("/") else ""
    return reverse(name) + query
