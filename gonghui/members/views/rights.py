"""Personal-information rights: the member's own data on the H5 (/members/my-data/) and the staff
queue of requests in the console (/console/members/rights/)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_required
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.core.scope import WRITE_ROLES, scope_of

from ..access import access_rights_request, own_member
from ..forms import HandleForm, RightsFilterForm, RightsRequestForm
from ..models import Member, RightsRequest, RightsRequestKind, RightsRequestStatus
from ..services import rights as services
from .transfer import join_url


def _page(request: HttpRequest, member: Member, *, form: RightsRequestForm | None = None,
          revealed: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "members/my_data.html", {
        "tab": "me", "member": member, "form": form or RightsRequestForm(), "revealed": revealed or {},
        "requests": RightsRequest.objects.filter(member=member),
        "history": member.history.select_related("from_union", "to_union")[:50],
        "kinds": RightsRequestKind.choices,
    }, status=status)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What the platform stores about me (masked here; full values on request, audited)."""
    member = own_member(request.user)
    if member is None:
        return render(request, "members/my_data.html", {"tab": "me", "member": None, "join_url": join_url()})
    return _page(request, member)


@login_required
@require_POST
def my_data_reveal(request: HttpRequest) -> HttpResponse:
    """Show my own full ID number and phone (I am the subject; the view is still audited)."""
    member = own_member(request.user)
    if member is None:
        raise NotFound("您还不是工会会员")
    revealed = {field: services.my_identifier_reveal(member=member, field=field, actor=request.user)
                for field in ("id_number", "phone")}
    if request.htmx:
        return render(request, "members/my_data_identifiers.html", {"member": member, "revealed": revealed})
    return _page(request, member, revealed=revealed)


@login_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    """Download everything stored about me as JSON (audited)."""
    member = own_member(request.user)
    if member is None:
        raise NotFound("您还不是工会会员")
    data = services.my_data_export(member=member, actor=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def my_data_request(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    if member is None:
        raise NotFound("您还不是工会会员")
    form = RightsRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, member, form=form, status=400)
    try:
        services.rights_request_create(actor=request.user, member=member, **form.cleaned_data)
    except (ValidationFailed, Conflict) as exc:
        apply_domain_error(form, exc)
        return _page(request, member, form=form, status=exc.status)
    messages.success(request, "已提交，工会将在15个工作日内处理并通过站内信告知结果")
    return redirect("members:my_data")


# --- Console ---------------------------------------------------------------------------------------------------


@staff_required
def rights(request: HttpRequest) -> HttpResponse:
    """The queue of requests from members in my branch (pending first)."""
    form = RightsFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"status": "", "kind": ""}
    qs = RightsRequest.objects.visible_to(request.user).select_related("member__union", "handled_by")
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    pending_first = Case(When(status=RightsRequestStatus.PENDING, then=Value(0)), default=Value(1))
    page = Paginator(qs.order_by(pending_first, "-created_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(request, "members/rights_list.html", {
        "section": "members", "page": page, "filters": filters, "statuses": RightsRequestStatus.choices,
        "kinds": RightsRequestKind.choices,
        "pending": RightsRequest.objects.visible_to(request.user).filter(status=RightsRequestStatus.PENDING).count(),
    })


@staff_required
def rights_handle(request: HttpRequest, key: str) -> HttpResponse:
    """One request: see it (masked), and handle it (write roles)."""
    write = request.method == "POST"
    item = access_rights_request(request.user, key, write=write)
    form = HandleForm(request.POST or None)
    status = 200
    if write:
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            correction = {k: data.pop(k) for k in services.CORRECTABLE}
            try:
                services.rights_request_handle(actor=request.user, rights_request=item, correction=correction,
                                               **data)
            except (ValidationFailed, Conflict) as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "已处理，结果已通过站内信告知会员")
                return redirect("members:rights_handle", key=item.uuid)
        item = access_rights_request(request.user, key)
    member = item.member
    return render(request, "members/rights_handle.html", {
        "section": "members", "item": item, "member": member, "form": form,
        "can_handle": item.status == RightsRequestStatus.PENDING and scope_of(request.user).can(
            member.union.path, WRITE_ROLES),
        "erasing": item.kind in services.ERASING_KINDS,
    }, status=status)
