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
  ``Forbidden`` propagate to the error pages (DomainErrorMiddleware), as everywhere. ``handled=``
  widens that where a refusal is an outcome the page reports (a member not eligible for a coupon).
* Then the response: ``fragment()`` for an HTMX request when the page swaps a fragment, else a
  redirect to the posted ``next`` (same host only) or to ``back`` (a URL, or a callable giving one
  after the service ran — the object may have moved out of the caller's sight); after a success,
  ``redirect_to(result)`` instead when given (the new object's page).

``submit`` is the full-page form: the page is shown again with the errors on the form. Invalid
input (the form's or the service's ``ValidationFailed``) answers 200, the convention for a form shown
again with its errors — a 400 is an error the browser logs, and Lighthouse counts, for what is an
ordinary step of filling a form in —; a refusal keeps its own status (``form_status``: 409 a
conflict, 403 a refusal, 429 too many tries). The API answers 4xx for all of them (core/api.py).
``attempt`` is the step both are built on, for a view that renders the outcome itself (an HTMX
fragment that shows the result or the error in place), with the same statuses.

``object_action`` is the whole view of the commonest POST — one button (or a small form) on one
gated object — written once: the module names its gate and where to go back, each action is the
service call alone:

    activity_action = partial(object_action, partial(access_activity, write=True),
                              back=lambda request, activity: _back(activity))

    @activity_action(form=CancelActivityForm, success="活动已取消，已通知报名的会员")
    def cancel(request, activity, data):
        services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .decorators import staff_required
from .errors import Conflict, DomainError, ValidationFailed
from .forms import apply_domain_error

HANDLED: tuple[type[DomainError], ...] = (ValidationFailed, Conflict)

T = TypeVar("T")
View = Callable[..., HttpResponse]


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


def page_status(status: int) -> int:
    """The HTML status of a page or fragment that shows an error of the user's input in place: 200 for
    invalid input (400), else the refusal's own status (409, 403, 429)."""
    return 200 if status == ValidationFailed.status else status


def form_errors(form: forms.BaseForm) -> str:
    """All of a form's errors as one line for a message."""
    text = "；".join(str(e) for errors in form.errors.values() for e in errors)
    return text or "提交的内容有误"


@dataclass
class Outcome:
    """What ``attempt`` did: ``result`` of the service, or the ``error`` message and the HTTP status of
    the page that shows it (``page_status``: 200 for invalid input)."""

    result: Any = None
    error: str = ""
    status: int = 200

    @property
    def ok(self) -> bool:
        return not self.error


def attempt(run: Callable[[Mapping[str, Any]], Any], form: forms.BaseForm | None = None, *,
            invalid: str | Callable[[Any], str] | None = None,
            handled: tuple[type[DomainError], ...] = HANDLED) -> Outcome:
    """Validate ``form`` and call ``run`` with its data; a handled domain error is the outcome.

    An invalid form is ``error`` = its errors (or ``invalid``: a text, or a callable given the
    form), status 200, and ``run`` is not called; a domain error in ``handled`` is its message and
    ``page_status(its status)``; other errors propagate.
    """
    if form is not None and not form.is_valid():
        text = invalid(form) if callable(invalid) else invalid
        return Outcome(error=text or form_errors(form), status=200)
    try:
        return Outcome(result=run(form.cleaned_data if form is not None else {}))
    except handled as exc:
        return Outcome(error=exc.message, status=page_status(exc.status))


def act(request: HttpRequest, *, run: Callable[[Mapping[str, Any]], Any], form: forms.BaseForm | None = None,
        success: str = "", back: str | Callable[[], str], fragment: Callable[[], HttpResponse] | None = None,
        redirect_to: Callable[[Any], str] | None = None, handled: tuple[type[DomainError], ...] = HANDLED,
        invalid: str | Callable[[Any], str] | None = None) -> HttpResponse:
    """Validate ``form``, call ``run`` with its data, report the outcome and answer (see the module)."""
    outcome = attempt(run, form, invalid=invalid, handled=handled)
    if not outcome.ok:
        messages.error(request, outcome.error)
    else:
        result = outcome.result
        if isinstance(result, HttpResponse):
            return result
        text = result if isinstance(result, str) and result else success
        if text:
            messages.success(request, text)
        if redirect_to is not None and not (fragment is not None and getattr(request, "htmx", False)):
            return redirect(redirect_to(result))
    if fragment is not None and getattr(request, "htmx", False):
        return fragment()
    return redirect_back(request, back() if callable(back) else back)


def submit(request: HttpRequest, form: forms.BaseForm, *, run: Callable[[Mapping[str, Any]], Any],
           success: str | Callable[[Any], str] = "", redirect_to: str | Callable[[Any], str],
           handled: tuple[type[DomainError], ...] = HANDLED) -> HttpResponse | None:
    """The full-page form (a page that shows the form again with its errors, not a message).

    On a POST with a valid form, call ``run(cleaned_data)``: on success show ``success`` (a text, or
    a callable given ``run``'s result) and redirect to ``redirect_to`` (a URL, or a callable given
    the result — the new object); a domain error in ``handled`` is put on the form (field errors on
    their fields) and remembered for ``form_status``. Returns None when the page is to be rendered:
    on GET, or after a failed POST — render it with ``status=form_status(request, form)``.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except handled as exc:
        apply_domain_error(form, exc)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def form_status(request: HttpRequest, form: forms.BaseForm | None = None) -> int:
    """The status of a page that shows a form: 200 (on GET, and after a POST with invalid input: the
    form is shown again with its errors), or the status of a refusal ``apply_domain_error`` put on
    ``form`` (409 a conflict, 403 a refusal, 429 too many tries)."""
    if request.method != "POST":
        return 200
    return page_status(getattr(form, "error_status_code", None) or ValidationFailed.status)


def object_action(gate: Callable[[Any, str], T], *, back: Callable[[HttpRequest, T], str | Callable[[], str]],
                  form: type[forms.BaseForm] | None = None, files: bool = False, success: str = "",
                  fragment: Callable[[HttpRequest, T], Callable[[], HttpResponse]] | None = None,
                  redirect_to: Callable[[Any], str] | None = None, handled: tuple[type[DomainError], ...] = HANDLED,
                  guard: Callable[[View], View] = staff_required) -> Callable[[Callable[..., Any]], View]:
    """Decorate ``action(request, obj, data, **url_kwargs)`` into the POST view ``view(request, key, ...)``.

    The view is ``guard`` (``staff_required``, or ``login_required`` for a member's or a provider's own
    rows) and ``require_POST``; it loads the object with ``gate(request.user, key)`` — a staff gate
    partially applied with ``write=True`` —, so a missing or foreign row is the 404 page and a read-only
    role the 403 page before any form is read. Then ``act``: ``form`` bound to the POST (and the uploads
    with ``files``), ``action`` called with the cleaned data (its return value as in ``act``: nothing for
    ``success``, a text shown instead, a response), back to ``back(request, obj)`` (a URL or a callable
    giving one), ``fragment(request, obj)`` for HTMX, ``redirect_to(result)`` after a success. The other
    URL arguments reach ``action`` as keywords (a question of the survey).
    """

    def decorate(action: Callable[..., Any]) -> View:
        @guard
        @require_POST
        @wraps(action)
        def view(request: HttpRequest, key: str, **kwargs: Any) -> HttpResponse:
            obj = gate(request.user, key)
            bound = None
            if form is not None:
                bound = form(request.POST, request.FILES) if files else form(request.POST)
            return act(request, form=bound, run=lambda data: action(request, obj, data, **kwargs),
                       success=success, back=back(request, obj),
                       fragment=fragment(request, obj) if fragment is not None else None,
                       redirect_to=redirect_to, handled=handled)

        return view

    return decorate
