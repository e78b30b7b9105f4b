"""Console: 合作伙伴 — the list, signing a partner, its page (details, accounts, what it redeemed)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gonghui.core.actions import form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import ValidationFailed
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Union

from ...access import access_partner, partner_staff_of
from ...forms import PartnerForm, PhoneForm, ReasonForm
from ...models import Coupon, CouponStatus, Partner, PartnerCategory, PartnerStatus
from ...selectors import reconciliation, reconciliation_totals
from ...services import partners as services


def work_unions(user: Any) -> Any:
    """Active unions where the user may do day-to-day work (for "which union" pickers)."""
    return Union.objects.writable_by(user).order_by("path")[:500]


def can_write(user: Any, union: Union) -> bool:
    return scope_of(user).can(union.path, WRITE_ROLES)


def can_work_anywhere(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths(WRITE_ROLES))


@staff_required
def partner_list(request: HttpRequest) -> HttpResponse:
    qs = Partner.objects.visible_to(request.user).select_related("union").annotate(
        redeemed=Count("redemptions", filter=Q(redemptions__status=CouponStatus.REDEEMED)))
    q = " ".join(request.GET.get("q", "").split())[:50]
    category, status = request.GET.get("category", ""), request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if category in PartnerCategory.values:
        qs = qs.filter(category=category)
    if status in PartnerStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("name"), 20).get_page(request.GET.get("page"))
    return render(request, "benefits/partner_list.html", {
        "section": "benefits", "page": page, "q": q, "category": category, "status": status,
        "categories": PartnerCategory.choices, "statuses": PartnerStatus.choices,
        "can_work": can_work_anywhere(request.user)})


@staff_required
def partner_new(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None, request.FILES or None, initial={"union": request.GET.get("union", "")})

    def create(data: Any) -> Partner:
        if not data.get("union"):
            raise ValidationFailed("请选择签约工会", detail={"union": "请选择签约工会"})
        union = access_union_for_work(request.user, data["union"])
        return services.partner_create(actor=request.user, union=union, **form.data_for_service())

    done = submit(request, form, run=create, success=lambda partner: f"已签约「{partner.name}」",
                  redirect_to=lambda partner: reverse("benefits:partner_detail", args=[partner.uuid]))
    return done or render(request, "benefits/partner_form.html", {
        "section": "benefits", "form": form, "unions": work_unions(request.user), "partner": None},
        status=form_status(request, form))


@staff_required
def partner_detail(request: HttpRequest, key: str) -> HttpResponse:
    partner = access_partner(request.user, key)
    redeemed = Coupon.objects.filter(redeemed_partner=partner, status=CouponStatus.REDEEMED)
    rows = reconciliation(redeemed)
    return render(request, "benefits/partner_detail.html", {
        "section": "benefits", "partner": partner, "can_work": can_write(request.user, partner.union),
        "staff": partner.staff.select_related("user"), "rows": rows, "totals": reconciliation_totals(rows),
        "campaigns": partner.campaigns.visible_to(request.user).select_related("union").order_by("-created_at")[:20],
    })


@staff_required
def partner_edit(request: HttpRequest, key: str) -> HttpResponse:
    partner = access_partner(request.user, key, write=True)
    initial = {f: getattr(partner, f) for f in ("name", "category", "address", "longitude", "latitude", "discount",
                                                "hotline", "description", "contract_start", "contract_end")}
    form = PartnerForm(request.POST or None, request.FILES or None, initial=initial)
    done = submit(request, form, success="已保存",
                  run=lambda data: services.partner_update(actor=request.user, partner=partner,
                                                           **form.data_for_service()),
                  redirect_to=reverse("benefits:partner_detail", args=[partner.uuid]))
    return done or render(request, "benefits/partner_form.html", {
        "section": "benefits", "form": form, "partner": partner}, status=form_status(request, form))


# The partner page's actions: gated with write, back to the partner.
partner_action = partial(object_action, partial(access_partner, write=True),
                         back=lambda request, partner: reverse("benefits:partner_detail", args=[partner.uuid]))


@partner_action(form=ReasonForm)
def partner_status(request: HttpRequest, partner: Partner, data: Mapping[str, Any]) -> str:
    wanted = PartnerStatus.SUSPENDED if request.POST.get("status") == "suspended" else PartnerStatus.ACTIVE
    services.partner_set_status(actor=request.user, partner=partner, status=wanted, reason=data["reason"])
    return "已暂停合作" if wanted == PartnerStatus.SUSPENDED else "已恢复合作"


@partner_action(form=PhoneForm)
def partner_staff_add(request: HttpRequest, partner: Partner, data: Mapping[str, Any]) -> str:
    added = services.partner_staff_add(actor=request.user, partner=partner, phone=data["phone"])
    return "已添加核销人员 " + added.user.name


@partner_action()
def partner_staff_remove(request: HttpRequest, partner: Partner, data: Mapping[str, Any], staff: str) -> str:
    row = partner_staff_of(partner, staff)
    text = f"已移除核销人员 {row.user.name}"
    services.partner_staff_remove(actor=request.user, staff=row)
    return text
