"""View decorators for the console: staff only, and role checks for a whole page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from gonghui.core.scope import scope_of


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the login page) and holding a staff assignment (else a 403 page)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not scope_of(request.user).is_staff:
            return TemplateResponse(request, "web/error.html", {
                "error": {"message": "工作台仅供工会工作人员使用。职工请使用手机端首页。", "status": 403}
            }, status=403)
        return view(request, *args, **kwargs)

    return wrapper
