"""The one HTML action adapter: gate → form → service → message → redirect (or an HTMX fragment).

Every POST that changes something on a page is the same few steps, so a view does the gate and
hands the rest to ``act``:

    @staff_required
    @require_POST
    def activity_cancel(request, key):
        activity = access_activity(request.user, key, write=True)              # 404 / 403 as pages
        return act(request, form=CancelActivityForm(request.POST),
                   run=lambda data: services.activity_cancel(actor=request.user, activity=activity,
                                                             reason=data["reason"]),
                   success="活动已取消，已通知报名的会员",
                   back=reverse("activities:console_detail", args=[activity.uuid]))

* The form's validation result is never discarded: an invalid form is a message (each field's
  errors, in Chinese) and the service is not called.
* ``run`` gets the form's ``cleaned_data`` (an empty dict without a form). It returns nothing (the
  ``success`` message is shown), a string (shown instead) or a response (returned as it is).
* ``ValidationFailed`` and ``Conflict`` from the service are messages; ``NotFound`` and
  ``Forbidden`` propagate to the error pages (DomainErrorMiddleware), as everywhere.
* Then the response: ``fragment()`` for an HTMX request when the page swaps a fragment, else a
  redirect to the posted ``next`` (same host only) or to ``back`` (a URL, or a callable giving one
  after the service ran — the object may have moved out of the caller's sight).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import Conflict, ValidationFailed
from .forms import apply_domain_error

HANDLED = (ValidationFailed, Conflict)


def safe_next(request: HttpRequest) -> str:
    """The posted (or queried) ``next`` when it points at this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def redirect_back(request: HttpRequest, default: str, *args: Any) -> HttpResponse:
    """Redirect to the posted ``next`` (same host only), else to ``default`` (a URL or a URL name)."""
    target = safe_next(request)
    if target:
        return redirect(target)
    return redirect(default, *args)


def form_errors(form: forms.BaseForm) -> str:
    """All of a form's errors as one line for a message."""
    text = "；".join(str(e) for errors in form.errors.values() for e in errors)
    return text or "提交的内容有误"


def act(request: HttpRequest, *, run: Callable[[Mapping[str, Any]], Any], form: forms.BaseForm | None = None,
        success: str = "", back: str | Callable[[], str], fragment: Callable[[], HttpResponse] | None = None,
        ) -> HttpResponse:
    """Validate ``form``, call ``run`` with its data, report the outcome and answer (see the module)."""
    if form is not None and not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            result = run(form.cleaned_data if form is not None else {})
        except HANDLED as exc:
            messages.error(request, exc.message)
        else:
            if isinstance(result, HttpResponse):
                return result
            text = result if isinstance(result, str) and result else success
            if text:
                messages.success(request, text)
    if fragment is not None and getattr(request, "htmx", False):
        return fragment()
    return redirect_back(request, back() if callable(back) else back)


def submit(request: HttpRequest, form: forms.BaseForm, *, run: Callable[[Mapping[str, Any]], Any],
           success: str = "", redirect_to: str | Callable[[Any], str]) -> HttpResponse | None:
    """The full-page form (a page that shows the form again with its errors, not a message).

    On a POST with a valid form, call ``run(cleaned_data)``: on success show ``success`` and
    redirect to ``redirect_to`` (a URL, or a callable given ``run``'s result — the new object);
    a ValidationFailed/Conflict is put on the form (field errors on their fields). Returns None when
    the page is to be rendered: on GET, or after a failed POST — then render with status 400
    (``form_status(request)``).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except HANDLED as exc:
        apply_domain_error(form, exc)
        return None
    if success:
        messages.success(request, success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def form_status(request: HttpRequest) -> int:
    """The status of a page that shows a form: 400 when it is shown again after a POST."""
    return 400 if request.method == "POST" else 200
