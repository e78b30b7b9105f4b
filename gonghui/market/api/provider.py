"""/api/v1/market/provider/…: a provider account's own offerings and the orders it serves.

Transitions of those orders and offerings use the endpoints shared with staff (orders…/assign,
offerings…/list, …, in api/__init__.py), which accept the provider's account through the provider
gate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from gonghui.core.errors import Forbidden

from ..access import own_provider
from ..models import Offering, Order, OrderStatus, Provider
from ..schemas import OfferingIn, OfferingOut, OrderPage
from ..services import catalogue
from . import offering_data, page_of, with_actions, with_remaining

router = Router(tags=["云集市：服务方"])


def _provider(request: HttpRequest) -> Provider:
    provider = own_provider(request.user)
    if provider is None:
        raise Forbidden("仅供云集市服务方账号使用")
    return provider


@router.get("/provider/offerings", response=list[OfferingOut], summary="我的服务项目（服务方）",
            operation_id="gonghui_market_api_provider_provider_offerings")
def provider_offerings(request: HttpRequest) -> Any:
    provider = _provider(request)
    return with_remaining(list(Offering.objects.filter(provider=provider).select_related("provider", "union")
                               .order_by("status", "-updated_at")))


@router.post("/provider/offerings", response={201: OfferingOut}, summary="新建服务项目（备货，服务方）",
             operation_id="gonghui_market_api_provider_provider_offering_create")
def provider_offering_create(request: HttpRequest, body: OfferingIn) -> Any:
    provider = _provider(request)
    offering = catalogue.offering_create(actor=request.user, provider=provider,
                                         data=offering_data(body, provider.union))
    return Status(201, offering)


@router.get("/provider/orders", response=OrderPage, summary="我要服务的订单（服务方，按状态）",
            operation_id="gonghui_market_api_provider_provider_orders")
def provider_orders(request: HttpRequest, status: str = "", page: int = 1,
                    page_size: int = settings.NINJA_PAGINATION_PER_PAGE) -> Any:
    provider = _provider(request)
    qs = Order.objects.filter(offering__provider=provider)
    statuses = [s for s in status.split(",") if s in OrderStatus.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    qs = qs.select_related("offering__provider__user", "batch", "slot", "member__user", "member_union", "union",
                           "reorder_of").prefetch_related("review").order_by("-placed_at", "-id")
    return page_of(qs, page, page_size, post=lambda items: [with_actions(request.user, o) for o in items])
