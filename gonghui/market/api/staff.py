"""/api/v1/market/manage/…: the console's API for staff — offerings, the order board with bulk 配货,
providers and their workload, reviews, needs and categories, statistics.

Lists start from ``visible_to``; single objects come through the ``access_*`` gates (404 out of
scope, 403 for a read-only role writing). The same selectors and services as the console pages
(views/staff.py). The offering and batch transitions staff share with provider accounts are in
api/__init__.py."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from gonghui.accounts.models import User
from gonghui.core.errors import ValidationFailed
from gonghui.unions.access import access_union_for_work

from .. import selectors
from ..access import access_need, access_need_category, access_offering, access_order, access_provider
from ..models import OPEN_STATUSES, NeedStatus, Order
from ..schemas import (
    AnswerIn,
    BulkAssignOut,
    CategoryIn,
    CategoryOut,
    MarketStatsOut,
    NeedOut,
    OfferingDetailOut,
    OfferingPage,
    OrderBulkAssignIn,
    OrderCountsOut,
    OrderPage,
    ProviderIn,
    ProviderOut,
    ReviewItem,
    StaffOfferingIn,
    WorkloadOut,
    WorkloadPage,
)
from ..services import catalogue, needs, orders
from . import offering_data, offering_page, page_of, with_actions, with_batches

router = Router(tags=["云集市：工会管理"])
PER_PAGE = settings.NINJA_PAGINATION_PER_PAGE


# --- Offerings (staff) -----------------------------------------------------------------------------------------


@router.get("/manage/offerings", response=OfferingPage, summary="服务项目（按状态、领域、关键词）",
            operation_id="gonghui_market_api_manage_manage_offerings")
def manage_offerings(request: HttpRequest, status: str = "", domain: str = "", q: str = "", page: int = 1,
                     page_size: int = PER_PAGE) -> Any:
    qs = selectors.offering_list(request.user, {"status": status, "domain": domain, "q": q})
    return offering_page(request, qs, page, page_size)


@router.post("/manage/offerings", response={201: OfferingDetailOut}, summary="新建服务项目（备货）",
             operation_id="gonghui_market_api_manage_manage_offering_create")
def manage_offering_create(request: HttpRequest, body: StaffOfferingIn) -> Any:
    provider = access_provider(request.user, body.provider, write=True)
    offering = catalogue.offering_create(actor=request.user, provider=provider,
                                         data=offering_data(body, provider.union))
    return Status(201, with_batches(access_offering(request.user, offering.uuid)))


@router.get("/manage/offerings/{uuid:key}", response=OfferingDetailOut, summary="服务项目详情（含全部批次）",
            operation_id="gonghui_market_api_manage_manage_offering")
def manage_offering(request: HttpRequest, key: UUID) -> Any:
    return with_batches(access_offering(request.user, key))


# --- The order board ------------------------------------------------------------------------------------------------


@router.get("/manage/orders", response=OrderPage, summary="订单看板（按状态、领域、服务项目）",
            operation_id="gonghui_market_api_manage_manage_orders")
def manage_orders(request: HttpRequest, status: str = "", domain: str = "", offering: str = "", page: int = 1,
                  page_size: int = PER_PAGE) -> Any:
    qs = selectors.order_board(request.user, {"status": status, "domain": domain, "offering": offering})
    qs = qs.select_related("offering__provider__user").prefetch_related(
        "union", "member__user", "reorder_of", "review")
    return page_of(qs, page, page_size, post=lambda items: [with_actions(request.user, o) for o in items])


@router.get("/manage/orders/counts", response=OrderCountsOut,
            summary="订单看板：办理中各状态（待配货、已配货、待签收）的数量；全部状态的合计见统计",
            operation_id="gonghui_market_api_manage_manage_order_counts")
def manage_order_counts(request: HttpRequest, domain: str = "", offering: str = "") -> Any:
    qs = selectors.order_filters(Order.objects.visible_to(request.user), {"domain": domain, "offering": offering})
    return {"counts": selectors.status_counts(qs, OPEN_STATUSES)}


@router.post("/manage/orders/assign", response=BulkAssignOut, summary="批量配货（逐单办理，个别失败不影响其他）",
             operation_id="gonghui_market_api_manage_manage_orders_assign")
def manage_orders_assign(request: HttpRequest, body: OrderBulkAssignIn) -> Any:
    chosen = [access_order(request.user, key, write=True) for key in body.orders]
    result = orders.orders_assign_bulk(actor=request.user, orders=chosen, server_name=body.server_name,
                                       scheduled_at=body.scheduled_at)
    return {"done": [o.uuid for o in result.done],
            "failed": [{"order": o.uuid, "message": message} for o, message in result.failed]}


# --- Providers, reviews ----------------------------------------------------------------------------------------------


def _account(phone: str) -> User | None:
    if not phone.strip():
        return None
    user = User.objects.by_phone(phone.strip()).filter(is_active=True).first()
    if user is None:
        raise ValidationFailed("未找到该手机号的账号", detail={"account_phone": "未找到该手机号的账号"})
    return user


@router.get("/manage/providers", response=WorkloadPage, summary="服务方及工作量",
            operation_id="gonghui_market_api_manage_manage_providers")
def manage_providers(request: HttpRequest, kind: str = "", q: str = "", page: int = 1,
                     page_size: int = PER_PAGE) -> Any:
    qs = selectors.provider_list(request.user, {"kind": kind, "q": q})

    def workloads(items: list[Any]) -> list[Any]:
        return [{"provider": w.provider, "offerings": w.offerings, "counts": w.counts, "served": w.served}
                for w in selectors.provider_workload(request.user, items)]

    return page_of(qs, page, page_size, post=workloads)


@router.post("/manage/providers", response={201: ProviderOut}, summary="添加服务方",
             operation_id="gonghui_market_api_manage_manage_provider_create")
def manage_provider_create(request: HttpRequest, body: ProviderIn) -> Any:
    union = access_union_for_work(request.user, body.union)
    data = catalogue.ProviderData(kind=body.kind, name=body.name, title_level=body.title_level,
                                  specialty=body.specialty, bio=body.bio)
    provider = catalogue.provider_create(actor=request.user, union=union, data=data,
                                         account=_account(body.account_phone))
    return Status(201, provider)


@router.get("/manage/providers/{uuid:key}", response=WorkloadOut, summary="服务方详情及工作量",
            operation_id="gonghui_market_api_manage_manage_provider")
def manage_provider(request: HttpRequest, key: UUID) -> Any:
    provider = access_provider(request.user, key)
    w = selectors.provider_workload(request.user, [provider])[0]
    return {"provider": provider, "offerings": w.offerings, "counts": w.counts, "served": w.served}


@router.get("/manage/reviews", response=list[ReviewItem], summary="评价（最近100条）",
            operation_id="gonghui_market_api_manage_manage_reviews")
def manage_reviews(request: HttpRequest, rating: int | None = None) -> Any:
    return list(selectors.review_list(request.user, rating)[:100])


# --- Needs -----------------------------------------------------------------------------------------------------------


@router.get("/manage/needs", response=list[NeedOut], summary="职工需求（按分类、状态；最近200条）",
            operation_id="gonghui_market_api_manage_manage_needs")
def manage_needs(request: HttpRequest, status: str = NeedStatus.OPEN, category: UUID | None = None) -> Any:
    return list(selectors.need_list(request.user, status=status, category=category)[:200])


@router.post("/manage/needs/{uuid:key}/answer", response=NeedOut, summary="回应需求：推荐服务项目或服务方",
             operation_id="gonghui_market_api_manage_manage_need_answer")
def manage_need_answer(request: HttpRequest, key: UUID, body: AnswerIn) -> Any:
    need = access_need(request.user, key, write=True)
    offering = access_offering(request.user, body.offering) if body.offering else None
    provider = access_provider(request.user, body.provider) if body.provider else None
    return needs.need_answer(actor=request.user, need=need, offering=offering, provider=provider, text=body.text)


@router.get("/manage/need-categories", response=list[CategoryOut], summary="需求分类（范围内各工会）",
            operation_id="gonghui_market_api_manage_manage_categories")
def manage_categories(request: HttpRequest) -> Any:
    return list(selectors.need_categories(request.user))


@router.post("/manage/need-categories", response={201: CategoryOut}, summary="添加需求分类",
             operation_id="gonghui_market_api_manage_manage_category_create")
def manage_category_create(request: HttpRequest, body: CategoryIn) -> Any:
    union = access_union_for_work(request.user, body.union)
    category = needs.need_category_save(actor=request.user, union=union, name=body.name, position=body.position,
                                        is_active=body.is_active)
    return Status(201, category)


@router.put("/manage/need-categories/{uuid:key}", response=CategoryOut, summary="修改需求分类",
            operation_id="gonghui_market_api_manage_manage_category_update")
def manage_category_update(request: HttpRequest, key: UUID, body: CategoryIn) -> Any:
    category = access_need_category(request.user, key, write=True)
    return needs.need_category_save(actor=request.user, union=category.union, name=body.name,
                                    position=body.position, is_active=body.is_active, category=category)


# --- Statistics ------------------------------------------------------------------------------------------------------


@router.get("/manage/stats", response=MarketStatsOut, summary="服务统计：按领域、品牌、服务方、工会（服务人次）",
            operation_id="gonghui_market_api_manage_manage_stats")
def manage_stats(request: HttpRequest, since: date | None = None, until: date | None = None) -> Any:
    data = selectors.statistics(request.user, selectors.Period(since=since, until=until))
    return {"total": data.total, "domains": data.domains, "brands": data.brands, "providers": data.providers,
            "unions": data.unions}
