"""Joining (入会) on the H5: the worker's flow under /members/join/. Thin adapters: parse → gate →
services/joining.py → render.

The flow keeps its progress in the session. The real-name details are encrypted there, because
sessions live in the database and no plaintext ID number or phone may reach it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.accounts.verification import code_send, user_register_with_code
from gonghui.core.actions import form_status, page_status, safe_next, submit
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.lib import crypto
from gonghui.lib.masking import mask_id_number, mask_phone
from gonghui.lib.phone import normalize_phone
from gonghui.unions.models import Union

from ...access import own_member
from ...forms import ConsentForm, DetailsForm, JoinRegisterForm
from ...models import (
    ApplicationStatus,
    Education,
    EmploymentForm,
    EnrollmentDrive,
    GigOccupation,
    Household,
    JoinApplication,
)
from ...services import joining as services
from ...services.registry import NOTICE_VERSION, clean_id_number, clean_phone
from ..shared import id_derived, posted

FLOW = "members.join"


def _flow(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(FLOW, {}))


def _save(request: HttpRequest, flow: dict[str, Any]) -> None:
    request.session[FLOW] = flow


def _consented(flow: dict[str, Any]) -> datetime | None:
    consent = flow.get("consent") or {}
    if consent.get("version") != NOTICE_VERSION:
        return None  # consent to an older notice does not cover the current one
    return datetime.fromisoformat(consent["at"])


def _details(flow: dict[str, Any]) -> dict[str, str] | None:
    sealed = flow.get("details")
    if not sealed:
        return None
    try:
        return json.loads(crypto.decrypt(sealed))
    except Exception:  # a key rotated away or a tampered value: ask again
        return None


def _pick(flow: dict[str, Any]) -> dict[str, Any] | None:
    """The chosen union (and employer, drive) as rows, re-checked: a union may have closed meanwhile."""
    pick = flow.get("pick") or {}
    if not pick.get("union"):
        return None
    union = Union.objects.active().filter(uuid=pick["union"]).select_related("parent").first()
    if union is None:
        return None
    drive = None
    if pick.get("drive"):
        drive = EnrollmentDrive.objects.filter(uuid=pick["drive"]).select_related("union").first()
    employer = None
    if pick.get("employer"):
        try:
            employer = services.employer_pickable(pick["employer"])
        except NotFound:
            return None
    return {"union": union, "drive": drive, "employer": employer, "via": pick.get("via", "")}


def _set_pick(request: HttpRequest, flow: dict[str, Any], *, union: Union, via: str, employer: Any = None,
              drive: EnrollmentDrive | None = None) -> None:
    flow["pick"] = {"union": str(union.uuid), "via": via, "employer": str(employer.uuid) if employer else None,
                    "drive": str(drive.uuid) if drive else None}
    _save(request, flow)


def _pending_of(user: Any) -> JoinApplication | None:
    return services.applications_of(user).filter(status=ApplicationStatus.PENDING).first()


def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """From a union's join QR code (its public page): preselect that union, then start the flow."""
    union = services.union_by_join_code(code)
    _set_pick(request, _flow(request), union=union, via="code")
    return redirect("members:join")


def join_drive(request: HttpRequest, code: str) -> HttpResponse:
    """From a mass enrollment drive's QR code: preselect the drive's union and count the joiner in it."""
    drive = services.drive_by_code(code)
    _set_pick(request, _flow(request), union=drive.union, via="drive", drive=drive)
    return redirect("members:join")


def join(request: HttpRequest) -> HttpResponse:
    """Step 1: the personal-information notice and its separate consent (sign up or in first)."""
    flow = _flow(request)
    pick = _pick(flow)
    context: dict[str, Any] = {"tab": "home", "pick": pick, "step": 1}
    if not request.user.is_authenticated:
        return render(request, "members/join_start.html", context)
    member = own_member(request.user)
    if member is not None:
        return render(request, "members/join_start.html", {**context, "member": member})
    if _pending_of(request.user) is not None:
        messages.info(request, "您已有一份待审核的入会申请")
        return redirect("members:join_status")
    form = ConsentForm(posted(request), initial={"consent": _consented(flow) is not None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            flow["consent"] = {"version": NOTICE_VERSION, "at": timezone.now().isoformat()}
            _save(request, flow)
            return redirect("members:join_details")
        status = 400
    return render(request, "members/join_notice.html", {
        **context, "form": form, "sections": services.NOTICE_SECTIONS, "notice_title": services.NOTICE_TITLE,
        "notice_version": NOTICE_VERSION}, status=page_status(status))


def join_register(request: HttpRequest) -> HttpResponse:
    """Sign up with phone + SMS code, then carry on with the flow signed in."""
    after = safe_next(request) or reverse("members:join")  # 实名认证 sends here with next=/members/claim/
    if request.user.is_authenticated:
        return redirect(after)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        phone = request.POST.get("phone", "")
        form = JoinRegisterForm(initial={"phone": phone, "name": request.POST.get("name", "")})
        send_error = ""
        try:
            code_send(phone=phone, purpose="register")
        except DomainError as exc:
            send_error, status = exc.message, exc.status
        else:
            messages.success(request, f"验证码已发送至 {mask_phone(normalize_phone(phone))}，10分钟内有效")
        return render(request, "members/join_register.html", {"form": form, "tab": "home", "send_error": send_error,
                                                              "sent": not send_error, "next": safe_next(request)},
                      status=status)
    form = JoinRegisterForm(posted(request))

    def register(data: Any) -> None:
        login(request, user_register_with_code(**data), backend="gonghui.accounts.auth.PhoneBackend")

    done = submit(request, form, run=register,
                  success="注册成功，请继续办理入会" if after == reverse("members:join") else "注册成功",
                  redirect_to=after, handled=(DomainError,))
    return done or render(request, "members/join_register.html", {
        "form": form, "tab": "home", "sent": request.method == "POST", "next": safe_next(request)},
        status=form_status(request, form))


@login_required
def join_details(request: HttpRequest) -> HttpResponse:
    """Step 2: real-name details. The ID number is parsed at once and what it encodes shown back."""
    flow = _flow(request)
    if _consented(flow) is None:
        return redirect("members:join")
    saved = _details(flow) or {"name": request.user.name, "phone": request.user.phone,
                               "employment_form": EmploymentForm.REGULAR}
    form = DetailsForm(posted(request), initial=saved)
    status = 200
    derived = id_derived(saved["id_number"]) if saved.get("id_number") else None
    if request.method == "POST":
        status = 400
        derived = id_derived(request.POST.get("id_number", "")) if request.POST.get("id_number") else None
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                data["id_number"] = clean_id_number(data["id_number"]).number
                data["phone"] = clean_phone(data["phone"])
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                flow["details"] = crypto.encrypt(json.dumps(data, ensure_ascii=False))
                _save(request, flow)
                return redirect("members:join_union")
    return render(request, "members/join_details.html", {"form": form, "derived": derived, "tab": "home",
                                                         "step": 2}, status=page_status(status))


@login_required
@require_POST
def join_id_check(request: HttpRequest) -> HttpResponse:
    """HTMX: what the typed ID number encodes (POST, so the number never lands in an access log)."""
    value = request.POST.get("id_number", "")
    return render(request, "members/join_id_check.html", {"derived": id_derived(value) if value.strip() else None})


@login_required
def join_union(request: HttpRequest) -> HttpResponse:
    """Step 3: pick the union — by employer, by join code, or (gig workers) the industry joint union."""
    flow = _flow(request)
    details = _details(flow)
    if _consented(flow) is None:
        return redirect("members:join")
    if details is None:
        return redirect("members:join_details")
    if request.method == "POST":
        try:
            _choose(request, flow)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("members:join_union")
        return redirect("members:join_review")
    q = " ".join(request.GET.get("q", "").split())[:60]
    employers = services.employer_search(q) if q else []
    if request.htmx and request.GET.get("part") == "employers":
        return render(request, "members/join_employer_results.html", {"employers": employers, "q": q})
    gig = details.get("employment_form") == EmploymentForm.GIG
    occupation = details.get("gig_occupation", "")
    cities = services.city_unions()
    city = None
    if request.GET.get("city"):
        try:
            city = services.city_pickable(request.GET["city"])
        except NotFound:
            city = None
    joint, matched = services.joint_unions_for(occupation=occupation, city=city) if city else ([], False)
    context = {"tab": "home", "step": 3, "pick": _pick(flow), "q": q, "employers": employers, "gig": gig,
               "occupation": GigOccupation(occupation).label if occupation else "", "cities": cities, "city": city,
               "joint": joint, "matched": matched, "keyword": services.OCCUPATION_KEYWORDS.get(occupation, "")}
    if request.htmx and request.GET.get("part") == "joint":
        return render(request, "members/join_joint_results.html", context)
    return render(request, "members/join_union.html", context)


def _choose(request: HttpRequest, flow: dict[str, Any]) -> None:
    action = request.POST.get("action", "")
    if action == "keep" and _pick(flow) is not None:
        return
    if action == "employer":
        employer = services.employer_pickable(request.POST.get("employer"))
        _set_pick(request, flow, union=employer.union, via="employer", employer=employer)
    elif action == "code":
        code = request.POST.get("code", "").strip()
        if not code:
            raise ValidationFailed("请输入入会码")
        union, drive = services.union_or_code(code)
        _set_pick(request, flow, union=union, via="drive" if drive else "code", drive=drive)
    elif action == "joint":
        _set_pick(request, flow, union=services.joint_union_pickable(request.POST.get("union")), via="joint")
    else:
        raise ValidationFailed("请选择要加入的工会")


@login_required
def join_review(request: HttpRequest) -> HttpResponse:
    """Step 4: check everything and submit."""
    flow = _flow(request)
    consented_at, details, pick = _consented(flow), _details(flow), _pick(flow)
    if consented_at is None:
        return redirect("members:join")
    if details is None:
        return redirect("members:join_details")
    if pick is None:
        return redirect("members:join_union")
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.application_submit(
                applicant=request.user, union=pick["union"], employer=pick["employer"], drive=pick["drive"],
                notice_version=NOTICE_VERSION, consented_at=consented_at, **details)
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            request.session.pop(FLOW, None)
            messages.success(request, "入会申请已提交，请耐心等待工会审核")
            return redirect("members:join_status")
    shown = {
        "name": details["name"], "id_number": mask_id_number(details["id_number"]),
        "phone": mask_phone(details["phone"]), "derived": id_derived(details["id_number"]),
        "education": Education(details["education"]).label if details.get("education") else "未填",
        "household": Household(details["household"]).label if details.get("household") else "未填",
        "employment_form": EmploymentForm(details["employment_form"]).label,
        "gig_occupation": GigOccupation(details["gig_occupation"]).label if details.get("gig_occupation") else "",
        "employer_name": pick["employer"].name if pick["employer"] else details.get("employer_name", ""),
    }
    return render(request, "members/join_review.html", {"tab": "home", "step": 4, "shown": shown, "pick": pick,
                                                        "error": error}, status=page_status(status))


@login_required
def join_status(request: HttpRequest) -> HttpResponse:
    """我的入会申请: where each application stands; the card number once approved."""
    applications = list(services.applications_of(request.user))
    services.mark_waiting(applications)
    return render(request, "members/join_status.html", {
        "tab": "me", "applications": applications, "member": own_member(request.user),
        "can_apply": not any(a.status == ApplicationStatus.PENDING for a in applications)})


@login_required
@require_POST
def join_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    application = services.applications_of(request.user).filter(uuid=key).first()
    if application is None:
        raise NotFound("未找到该申请")
    try:
        services.application_withdraw(applicant=request.user, application=application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回入会申请")
    return redirect("members:join_status")
