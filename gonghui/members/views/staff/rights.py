"""Personal-information rights in the console: the queue of requests (/console/members/rights/)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gonghui.core.actions import form_status, submit
from gonghui.core.decorators import staff_required
from gonghui.core.scope import WRITE_ROLES, scope_of

from ...access import access_rights_request
from ...forms import HandleForm, RightsFilterForm
from ...models import RightsRequest, RightsRequestKind, RightsRequestStatus
from ...services import rights as services


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

    def handle(data: Any) -> None:
        data = dict(data)
        correction = {k: data.pop(k) for k in services.CORRECTABLE}
        services.rights_request_handle(actor=request.user, rights_request=item, correction=correction, **data)

    done = submit(request, form, run=handle, success="已处理，结果已通过站内信告知会员",
                  redirect_to=reverse("members:rights_handle", args=[item.uuid]))
    if done:
        return done
    if write:
        item = access_rights_request(request.user, key)
    member = item.member
    return render(request, "members/rights_handle.html", {
        "section": "members", "item": item, "member": member, "form": form,
        "can_handle": item.status == RightsRequestStatus.PENDING and scope_of(request.user).can(
            member.union.path, WRITE_ROLES),
        "erasing": item.kind in services.ERASING_KINDS,
    }, status=form_status(request, form))
