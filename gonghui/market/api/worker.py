"""/api/v1/market/… for the member: the catalogue (browse, one offering, follow), 下单 (with
``Idempotency-Key``), my orders and the member's transitions, my needs.

The same selectors, gates and services as the H5 pages (views/worker.py): the member's own orders
and needs through ``member_order``/``member_need``; cancelling also admits the provider and staff
(``order_for_cancel``), one order's page whoever may read it (``order_for_reading``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from gonghui.core.errors import ValidationFailed
from gonghui.members.access import own_member
from gonghui.unions.models import Brand

from .. import selectors
from ..access import (
    batch_slot,
    member_need,
    member_order,
    offering_for_manage,
    order_for_cancel,
    order_for_reading,
    public_batch,
    public_offering,
)
from ..models import Follow, Need, Order, OrderStatus
from ..schemas import (
    CategoryOut,
    FollowOut,
    MarketReasonIn,
    NeedIn,
    NeedOut,
    OfferingDetailOut,
    OfferingIn,
    OfferingPage,
    OrderDetailOut,
    OrderPage,
    PlaceIn,
    ReviewIn,
)
from ..services import catalogue
from ..services import needs as need_services
from ..services import orders as order_services
from . import fresh_order, offering_data, offering_page, page_of, with_actions, with_batches

# --- The catalogue ----------------------------------------------------------------------------------------------

browse = Router(tags=["云集市：浏览"])


@browse.get("/offerings", response=OfferingPage, summary="浏览服务项目（按领域、品牌、关键词）",
            operation_id="gonghui_market_api_catalogue_offering_browse")
def offering_browse(request: HttpRequest, q: str = "", domain: str = "", brand: UUID | None = None,
                    page: int = 1, page_size: int = settings.NINJA_PAGINATION_PER_PAGE) -> Any:
    member = own_member(request.user)
    chosen = Brand.objects.filter(uuid=brand).first() if brand else None
    qs = selectors.catalogue(member, q=q, domain=domain, brand=chosen)
    return offering_page(request, qs, page, page_size)


@browse.get("/offerings/{uuid:key}", response=OfferingDetailOut, summary="服务项目详情（剩余名额、评价）",
            operation_id="gonghui_market_api_catalogue_offering_detail")
def offering_detail(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    member = own_member(request.user)
    offering.batch_list = selectors.offering_batches(offering)
    offering.review_list = list(selectors.offering_reviews(offering))
    offering.remaining = sum(b.remaining for b in offering.batch_list if b.is_orderable())
    offering.why_not = order_services.audience_problem(member, offering)
    offering.can_order = not offering.why_not and offering.remaining > 0
    offering.followed = Follow.objects.filter(user=request.user, offering=offering).exists()
    return offering


# Staff's and the provider's, but on this router beside GET of the same path: ninja routes a path to
# the router that declared it first.
@browse.put("/offerings/{uuid:key}", response=OfferingDetailOut, summary="修改服务项目（工作人员或服务方）",
            operation_id="gonghui_market_api_catalogue_offering_update")
def offering_update(request: HttpRequest, key: UUID, body: OfferingIn) -> Any:
    offering = offering_for_manage(request.user, key)
    catalogue.offering_update(actor=request.user, offering=offering, data=offering_data(body, offering.union))
    return with_batches(offering)


@browse.post("/offerings/{uuid:key}/follow", response=FollowOut, summary="关注（上新时通知我）",
             operation_id="gonghui_market_api_catalogue_offering_follow")
def offering_follow(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    return {"followed": catalogue.follow_set(actor=request.user, offering=offering, on=True)}


@browse.delete("/offerings/{uuid:key}/follow", response=FollowOut, summary="取消关注",
               operation_id="gonghui_market_api_catalogue_offering_unfollow")
def offering_unfollow(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    return {"followed": catalogue.follow_set(actor=request.user, offering=offering, on=False)}


# --- Orders -----------------------------------------------------------------------------------------------------

orders = Router(tags=["云集市：订单"])


@orders.post("/orders", response={201: OrderDetailOut}, summary="下单（支持 Idempotency-Key 幂等重试）",
             description="请求头 `Idempotency-Key`（≤100个可见ASCII字符）：同一用户以相同的键重试时，返回第一次"
                         "创建的订单，不会重复下单；响应头 `Idempotent-Replayed: true` 表示这是重放的结果。"
                         "名额已满时返回 409，code 为 `sold_out`。",
             operation_id="gonghui_market_api_orders_order_place")
def order_place(request: HttpRequest, response: HttpResponse, body: PlaceIn) -> Any:
    batch = public_batch(body.batch)
    slot = batch_slot(batch, body.slot)
    placed = order_services.order_place(actor=request.user, batch=batch, slot=slot, note=body.note,
                                        idempotency_key=request.headers.get("Idempotency-Key", ""))
    if not placed.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, fresh_order(request.user, placed.order))


@orders.get("/orders/mine", response=OrderPage, summary="我的订单（按状态）",
            operation_id="gonghui_market_api_orders_order_mine")
def order_mine(request: HttpRequest, status: str = "", page: int = 1,
               page_size: int = settings.NINJA_PAGINATION_PER_PAGE) -> Any:
    member = own_member(request.user)
    qs = Order.objects.filter(member=member) if member else Order.objects.none()
    statuses = [s for s in status.split(",") if s in OrderStatus.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    qs = qs.select_related("offering__provider", "batch", "slot", "member__user", "member_union", "union",
                           "reorder_of").prefetch_related("review").order_by("-placed_at", "-id")
    return page_of(qs, page, page_size, post=lambda items: [with_actions(request.user, o) for o in items])


@orders.get("/orders/{uuid:key}", response=OrderDetailOut,
            summary="订单详情（会员本人、服务方或范围内的工作人员）",
            operation_id="gonghui_market_api_orders_order_detail")
def order_detail(request: HttpRequest, key: UUID) -> Any:
    return fresh_order(request.user, order_for_reading(request.user, key))


@orders.post("/orders/{uuid:key}/cancel", response=OrderDetailOut,
             summary="取消（会员配货前；服务方、工作人员须填原因）",
             operation_id="gonghui_market_api_orders_order_cancel")
def order_cancel(request: HttpRequest, key: UUID, body: MarketReasonIn) -> Any:
    order = order_for_cancel(request.user, key)
    order_services.order_cancel(actor=request.user, order=order, reason=body.reason)
    return fresh_order(request.user, order)


@orders.post("/orders/{uuid:key}/confirm", response=OrderDetailOut, summary="签收（会员）",
             operation_id="gonghui_market_api_orders_order_confirm")
def order_confirm(request: HttpRequest, key: UUID) -> Any:
    order = member_order(request.user, key)
    order_services.order_confirm(actor=request.user, order=order)
    return fresh_order(request.user, order)


@orders.post("/orders/{uuid:key}/review", response=OrderDetailOut, summary="评价（会员，签收后，每单一次）",
             operation_id="gonghui_market_api_orders_order_review")
def order_review(request: HttpRequest, key: UUID, body: ReviewIn) -> Any:
    order = member_order(request.user, key)
    order_services.order_review(actor=request.user, order=order, rating=body.rating, text=body.text)
    return fresh_order(request.user, order)


@orders.post("/orders/{uuid:key}/reorder", response={201: OrderDetailOut}, summary="复购：再次预约同一服务",
             operation_id="gonghui_market_api_orders_order_reorder")
def order_reorder(request: HttpRequest, key: UUID) -> Any:
    order = member_order(request.user, key)
    placed = order_services.order_reorder(actor=request.user, order=order)
    return Status(201, fresh_order(request.user, placed.order))


# --- Needs ------------------------------------------------------------------------------------------------------

needs = Router(tags=["云集市：需求"])


@needs.get("/needs/categories", response=list[CategoryOut], summary="我可选的需求分类",
           operation_id="gonghui_market_api_needs_need_categories")
def need_categories(request: HttpRequest) -> Any:
    member = own_member(request.user)
    return list(selectors.categories_for(member)) if member else []


@needs.post("/needs", response={201: NeedOut}, summary="提交需求", operation_id="gonghui_market_api_needs_need_post")
def need_post(request: HttpRequest, body: NeedIn) -> Any:
    member = own_member(request.user)
    category = selectors.categories_for(member).filter(uuid=body.category).first() if member else None
    if member is not None and category is None:
        raise ValidationFailed("请选择需求分类", detail={"category": "请选择需求分类"})
    need = need_services.need_post(actor=request.user, category=category, title=body.title, text=body.text)
    return Status(201, need)


@needs.get("/needs/mine", response=list[NeedOut], summary="我的需求",
           operation_id="gonghui_market_api_needs_need_mine")
def need_mine(request: HttpRequest) -> Any:
    member = own_member(request.user)
    if member is None:
        return []
    return list(Need.objects.filter(member=member).select_related(
        "category", "union", "member", "answer_offering", "answer_provider")[:100])


@needs.post("/needs/{uuid:key}/close", response=NeedOut, summary="撤回需求",
            operation_id="gonghui_market_api_needs_need_close")
def need_close(request: HttpRequest, key: UUID) -> Any:
    need = member_need(request.user, key)
    return need_services.need_close(actor=request.user, need=need)
