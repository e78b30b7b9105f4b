"""The provider's own pages (服务者工作台), on the H5 shell: orders to serve by state, my offerings
and their batches (备货, 上架, 上新, 下架), one order with its actions.

Reached only through the provider gate (access.own_provider / provider_*): a provider account sees
its own offerings and orders, nothing else, whatever staff role the same user may hold."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse

from gonghui.core.actions import form_status, submit

from .. import selectors
from ..access import own_provider, provider_offering, provider_order
from ..forms import BatchForm, OfferingForm
from ..models import Offering, Order, OrderStatus
from ..services import catalogue
from . import (
    PAGE_SIZE,
    STATUS_BADGES,
    offering_batches,
    offering_data,
    offering_form_choices,
    offering_initial,
    offering_save,
    order_context,
    service_forms,
)

PROVIDER_TABS: list[tuple[str, str, tuple[str, ...]]] = [
    ("placed", "待配货", (OrderStatus.PLACED,)),
    ("assigned", "待服务", (OrderStatus.ASSIGNED,)),
    ("delivered", "待签收", (OrderStatus.DELIVERED,)),
    ("done", "已完成", (OrderStatus.CONFIRMED, OrderStatus.REVIEWED)),
    ("closed", "已取消/未到场", (OrderStatus.CANCELLED, OrderStatus.NO_SHOW)),
]


def provider_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the login page) and the account of an active provider (else a 403 page)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = own_provider(request.user)
        if provider is None:
            return TemplateResponse(request, "web/error.html", {"error": {
                "message": "服务者工作台仅供云集市服务方使用。如需成为服务方，请联系所在工会。", "status": 403}},
                status=403)
        request.market_provider = provider  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


@provider_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Orders to serve, by state."""
    provider = request.market_provider  # type: ignore[attr-defined]
    tab = request.GET.get("tab", "placed")
    statuses = next((s for k, _, s in PROVIDER_TABS if k == tab), PROVIDER_TABS[0][2])
    base = Order.objects.filter(offering__provider=provider)
    counts = selectors.status_counts(base)
    qs = (base.filter(status__in=statuses).select_related("offering", "batch", "slot", "member")
          .order_by("scheduled_at" if tab == "assigned" else "-placed_at", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page.object_list:
        order.badge = STATUS_BADGES.get(order.status, "")
    tabs = [(k, label, sum(counts.get(s, 0) for s in sts)) for k, label, sts in PROVIDER_TABS]
    return render(request, "market/provider_home.html", {
        "tab": "me", "provider": provider, "page": page, "tabs": tabs, "current": tab,
        "offerings": Offering.objects.filter(provider=provider).count(),
    })


@provider_required
def my_offerings(request: HttpRequest) -> HttpResponse:
    provider = request.market_provider  # type: ignore[attr-defined]
    offerings = list(Offering.objects.filter(provider=provider).order_by("status", "-updated_at"))
    selectors.attach_remaining(offerings)
    choices = offering_form_choices(provider.union)
    form = OfferingForm(request.POST or None, request.FILES or None, brands=choices["brands"], unions=choices["unions"])
    done = submit(request, form, success="服务项目已创建（备货中）。请添加批次名额，然后上架。",
                  run=lambda data: catalogue.offering_create(actor=request.user, provider=provider,
                                                             data=offering_data(form, provider.union)),
                  redirect_to=lambda offering: reverse("market:provider_offering", args=[offering.uuid]))
    if done:
        return done
    return render(request, "market/provider_offerings.html", {
        "tab": "me", "provider": provider, "offerings": offerings, "form": form}, status=form_status(request, form))


@provider_required
def offering_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One of my offerings: edit it, its batches (备货/上新, 结束), 上架/下架, recent reviews."""
    offering = provider_offering(request.user, key)
    choices = offering_form_choices(offering.union)
    form = OfferingForm(request.POST or None, request.FILES or None, brands=choices["brands"], unions=choices["unions"],
                        initial=offering_initial(offering))
    return offering_save(request, offering, form, page="market:provider_offering") or render(
        request, "market/provider_offering.html", {
            "tab": "me", "offering": offering, "form": form, "batches": offering_batches(offering),
            "batch_form": BatchForm(), "reviews": selectors.offering_reviews(offering, limit=10),
        }, status=form_status(request, form))


@provider_required
def order_detail(request: HttpRequest, key: str) -> HttpResponse:
    order = provider_order(request.user, key)
    return render(request, "market/provider_order.html", {
        "tab": "me", **order_context(request.user, order), **service_forms(order)})

