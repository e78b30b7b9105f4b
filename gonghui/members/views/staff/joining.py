"""Joining (入会) in the console: the application queue, decisions and mass enrollment drives under
/console/members/. Thin adapters: parse → gate → services/joining.py → render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.core.actions import form_errors, form_status, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.responses import qr_svg
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.lib.idcard import InvalidIdNumber, parse_id_number
from gonghui.lib.masking import mask_phone
from gonghui.unions.access import under_work_union
from gonghui.unions.models import Union, UnionLevel

from ...access import access_application, access_drive
from ...forms import DriveForm, RejectForm
from ...models import (
    ApplicationStatus,
    EnrollmentDrive,
    JoinApplication,
)
from ...services import joining as services
from ..shared import id_derived, posted


def _back(request: HttpRequest) -> HttpResponse:
    candidate = request.POST.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, {request.get_host()}):
        return redirect(candidate)
    return redirect("members:applications")


def _filter_unions(user: Any, visible: Any) -> list[Union]:
    """Union filter choices: the upper levels of the caller's scope, and unions with applications."""
    grants = [g.union_id for g in scope_of(user).grants]
    return list(Union.objects.visible_to(user).filter(
        Q(level__lte=UnionLevel.DISTRICT) | Q(pk__in=grants) | Q(pk__in=visible.values("union_id")))
        .order_by("path")[:300])


@staff_required
def applications(request: HttpRequest) -> HttpResponse:
    """The queue: oldest first, overdue ones flagged, batch approval for a drive."""
    qs, filters = services.application_queue(request.user, request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    services.mark_waiting(page.object_list)
    scope = scope_of(request.user)
    for application in page.object_list:
        application.can_write = scope.can(application.union.path, WRITE_ROLES)
    visible = JoinApplication.objects.visible_to(request.user)
    return render(request, "members/applications.html", {
        "section": "applications", "page": page, "filters": filters, "statuses": ApplicationStatus.choices,
        "unions": _filter_unions(request.user, visible),
        "drives": EnrollmentDrive.objects.visible_to(request.user).order_by("-created_at")[:50],
        "overdue_count": visible.filter(status=ApplicationStatus.PENDING,
                                        submitted_at__lt=services.overdue_since()).count(),
        "overdue_days": services.OVERDUE_WORKDAYS, "next": request.get_full_path(),
    })


@staff_required
def application_detail(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key)
    services.mark_waiting([application])
    return render(request, "members/applications_detail.html", {
        "section": "applications", "application": application, "derived": id_derived(application.id_number),
        "age": _age(application.id_number), "masked_phone": mask_phone(application.phone),
        "can_write": scope_of(request.user).can(application.union.path, WRITE_ROLES),
        "overdue_days": services.OVERDUE_WORKDAYS, "next": reverse("members:application", args=[application.uuid]),
    })


def _age(id_number: str) -> int | None:
    try:
        born = parse_id_number(id_number).birth_date
    except InvalidIdNumber:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _decided(request: HttpRequest, application: JoinApplication, done: str, error: DomainError | None) -> HttpResponse:
    """After a decision: the row again for HTMX, else back to where the staff member was."""
    if request.htmx:
        fresh = access_application(request.user, application.uuid)
        services.mark_waiting([fresh])
        fresh.can_write = True
        return render(request, "members/applications_row.html", {
            "a": fresh, "row_error": error.message if error else "", "row_done": "" if error else done,
            "overdue_days": services.OVERDUE_WORKDAYS, "next": request.POST.get("next", "")})
    if error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(request)


def _decide(request: HttpRequest, application: JoinApplication, run: Callable[[], str]) -> HttpResponse:
    """One decision on an application: ``run`` gives the row's message; a refusal is the row's error, while
    403 and 404 stay error pages."""
    try:
        done = run()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _decided(request, application, "", exc)
    return _decided(request, application, done, None)


@staff_required
@require_POST
def application_approve(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, write=True)

    def approve() -> str:
        member = services.application_approve(actor=request.user, application=application)
        return f"已通过 {application.name} 的入会申请，会员卡号 {member.card_no}"

    return _decide(request, application, approve)


@staff_required
@require_POST
def application_reject(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, write=True)
    form = RejectForm(request.POST)
    if not form.is_valid():  # never an empty reason on to the service: the form's message is the row's error
        return _decided(request, application, "", ValidationFailed(form_errors(form)))

    def reject() -> str:
        services.application_reject(actor=request.user, application=application, reason=form.cleaned_data["reason"])
        return f"已退回 {application.name} 的入会申请"

    return _decide(request, application, reject)


@staff_required
@require_POST
def applications_batch(request: HttpRequest) -> HttpResponse:
    try:
        result = services.applications_approve_batch(actor=request.user, keys=request.POST.getlist("uuids"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return _back(request)
    if result.approved:
        messages.success(request, f"批量通过 {result.approved} 份入会申请")
    if result.failed:
        details = "；".join(f"{e['name'] or '该申请'}：{e['message']}" for e in result.errors[:10])
        messages.error(request, f"{result.failed} 份未能通过：{details}")
    return _back(request)


@staff_required
def drives(request: HttpRequest) -> HttpResponse:
    """集中入会: the drives in scope with their join code, QR code and how many joined through each."""
    scope = scope_of(request.user)
    form = DriveForm(posted(request), initial={"starts_on": timezone.localdate()})

    done = submit(request, form, run=under_work_union(request.user, services.drive_create),
                  redirect_to=reverse("members:drives"),
                  success=lambda drive: f"已创建集中入会活动“{drive.name}”，入会码 {drive.code}")
    if done:
        return done
    items = list(services.drives_with_counts(EnrollmentDrive.objects.visible_to(request.user))
                 .order_by("-created_at"))
    for drive in items:
        drive.join_url = request.build_absolute_uri(reverse("members:join_drive", args=[drive.code]))
        drive.is_open = drive.starts_on <= timezone.localdate() and (
            drive.ends_on is None or drive.ends_on >= timezone.localdate())
    unions = (Union.objects.visible_to(request.user).active().filter(scope.q("path", WRITE_ROLES))
              .order_by("path")[:300])
    return render(request, "members/drives.html", {"section": "drives", "drives": items, "form": form,
                                                   "unions": unions}, status=form_status(request, form))


@staff_required
def drive_qr(request: HttpRequest, key: str) -> HttpResponse:
    """A drive's QR code as SVG: it opens the join flow with the drive preselected."""
    drive = access_drive(request.user, key)
    url = request.build_absolute_uri(reverse("members:join_drive", args=[drive.code]))
    return qr_svg(request, url, filename=f"drive-qr-{drive.uuid}.svg")
