"""/api/v1/market/orders…: 下单 (with ``Idempotency-Key``), my orders, one order, and its transitions.

Each endpoint is the same gate and the same service as the pages (views/h5.py, views/actions.py):
the member's own orders through ``member_order``, the provider's through the provider gate, staff's
through ``access_order``."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gonghui.core.errors import ValidationFailed
from gonghui.members.access import own_member

from ..access import member_order, order_for_cancel, order_for_reading, order_for_service, public_batch
from ..models import Order, OrderStatus, Slot
from ..schemas import AssignIn, NoteIn, OrderDetailOut, OrderOut, PlaceIn, ReasonIn, ReviewIn
from ..services import orders as services
from .common import page_of, with_actions

router = Router(tags=["云集市：订单"])


class OrderPage(Schema):
    items: list[OrderOut]
    count: int
    page: int
    page_size: int


def _detail(user: Any, order: Order) -> Order:
    fresh = Order.objects.select_related(
        "offering__provider__user", "offering__union", "batch", "slot", "union", "member__user", "member_union",
        "reorder_of").prefetch_related("events").get(pk=order.pk)
    return with_actions(user, fresh)


@router.post("/orders", response={201: OrderDetailOut}, summary="下单（支持 Idempotency-Key 幂等重试）",
             description="请求头 `Idempotency-Key`（≤100个可见ASCII字符）：同一用户以相同的键重试时，返回第一次"
                         "创建的订单，不会重复下单；响应头 `Idempotent-Replayed: true` 表示这是重放的结果。"
                         "名额已满时返回 409，code 为 `sold_out`。")
def order_place(request: HttpRequest, response: HttpResponse, body: PlaceIn) -> Any:
    batch = public_batch(body.batch)
    slot = None
    if body.slot is not None:
        slot = Slot.objects.filter(uuid=body.slot, batch=batch).first()
        if slot is None:
            raise ValidationFailed("所选时段不属于该批次", detail={"slot": "所选时段不属于该批次"})
    placed = services.order_place(actor=request.user, batch=batch, slot=slot, note=body.note,
                                  idempotency_key=request.headers.get("Idempotency-Key", ""))
    if not placed.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _detail(request.user, placed.order))


@router.get("/orders/mine", response=OrderPage, summary="我的订单（按状态）")
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


@router.get("/orders/{uuid:key}", response=OrderDetailOut,
            summary="订单详情（会员本人、服务方或范围内的工作人员）")
def order_detail(request: HttpRequest, key: UUID) -> Any:
    return _detail(request.user, order_for_reading(request.user, key))


@router.post("/orders/{uuid:key}/cancel", response=OrderDetailOut,
             summary="取消（会员配货前；服务方、工作人员须填原因）")
def order_cancel(request: HttpRequest, key: UUID, body: ReasonIn) -> Any:
    order = order_for_cancel(request.user, key)
    services.order_cancel(actor=request.user, order=order, reason=body.reason)
    return _detail(request.user, order)


@router.post("/orders/{uuid:key}/confirm", response=OrderDetailOut, summary="签收（会员）")
def order_confirm(request: HttpRequest, key: UUID) -> Any:
    order = member_order(request.user, key)
    services.order_confirm(actor=request.user, order=order)
    return _detail(request.user, order)


@router.post("/orders/{uuid:key}/review", response=OrderDetailOut, summary="评价（会员，签收后，每单一次）")
def order_review(request: HttpRequest, key: UUID, body: ReviewIn) -> Any:
    order = member_order(request.user, key)
    services.order_review(actor=request.user, order=order, rating=body.rating, text=body.text)
    return _detail(request.user, order)


@router.post("/orders/{uuid:key}/reorder", response={201: OrderDetailOut}, summary="复购：再次预约同一服务")
def order_reorder(request: HttpRequest, key: UUID) -> Any:
    order = member_order(request.user, key)
    placed = services.order_reorder(actor=request.user, order=order)
    return Status(201, _detail(request.user, placed.order))


@router.post("/orders/{uuid:key}/assign", response=OrderDetailOut,
             summary="配货：安排服务人员和时间（服务方、工作人员）")
def order_assign(request: HttpRequest, key: UUID, body: AssignIn) -> Any:
    order = order_for_service(request.user, key)
    services.order_assign(actor=request.user, order=order, server_name=body.server_name,
                          scheduled_at=body.scheduled_at)
    return _detail(request.user, order)


@router.post("/orders/{uuid:key}/deliver", response=OrderDetailOut,
             summary="发货：标记服务完成，可附照片或PDF凭证（≤10MB，multipart）")
def order_deliver(request: HttpRequest, key: UUID, note: Form[str] = "",
                  evidence: File[UploadedFile | None] = None) -> Any:
    order = order_for_service(request.user, key)
    services.order_deliver(actor=request.user, order=order, note=note, evidence=evidence)
    return _detail(request.user, order)


@router.post("/orders/{uuid:key}/no-show", response=OrderDetailOut, summary="标记未到场（服务方、工作人员）")
def order_no_show(request: HttpRequest, key: UUID, body: NoteIn) -> Any:
    order = order_for_service(request.user, key)
    services.order_mark_no_show(actor=request.user, order=order, note=body.note)
    return _detail(request.user, order)


