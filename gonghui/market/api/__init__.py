"""/api/v1/market/: one module per audience, combined here into one router.

* ``worker`` — the member: browse and follow listed offerings, place (with ``Idempotency-Key``), my
  orders and their transitions, my needs;
* ``provider`` — a provider account's own offerings and orders;
* ``staff`` — the console's API: offerings, the order board with bulk 配货, providers and workload,
  reviews, needs and categories, statistics;
* here — what they share: the page shape, the offering body → service data, and the transitions a
  provider account and writing staff both perform (配货/发货/未到场, 上架/下架, batches).

Each endpoint is the same gate and the same service as the pages (views/). The OpenAPI operation
ids are the ones the endpoints had before the modules were split by audience (``operation_id``), so
that clients generated from the schema keep their method names.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from gonghui.core.errors import ValidationFailed
from gonghui.core.modules import module_router
from gonghui.unions.models import Union

from .. import selectors
from ..access import batch_for_manage, offering_for_manage, order_for_service
from ..models import Offering, Order
from ..schemas import (
    MarketNoteIn,
    MarketReasonIn,
    OfferingBatchIn,
    OfferingBatchOut,
    OfferingDetailOut,
    OfferingIn,
    OrderAssignIn,
    OrderDetailOut,
)
from ..services import catalogue
from ..services import orders as order_services

# --- Shared by the audience modules -------------------------------------------------------------------------------


def with_actions(user: Any, order: Order) -> Order:
    """The order with ``actions`` (what this caller may do now) and its status in the caller's words
    (``Order.status_label_for``, the same words as the pages) for OrderOut."""
    order.actions = order_services.allowed_actions(user, order)
    order.viewer_status_label = order.status_label_for(user)
    return order


def with_remaining(offerings: list[Offering]) -> list[Offering]:
    selectors.attach_remaining(offerings)
    return offerings


#: The offering lists answer their page built by ``offering_out`` instead of through ninja's validation of
#: ``OfferingPage`` (a DjangoGetter around every offering, provider, union and photo: about a fifth of the
#: request). The tests compare the two byte for byte (market/tests/test_api_output.py); False takes ninja's.
DIRECT_OUTPUT = True


def offering_page(request: HttpRequest, qs: Any, page: int, page_size: int) -> Any:
    """A page of offerings (``OfferingPage``) with places left, selected in the page's query (one query,
    its count included; the audience union joined for ``audience_label``)."""
    qs = selectors.with_remaining_column(qs.select_related("audience_union"))
    result = page_of(qs, page, page_size, post=selectors.remaining_from_column)
    if not DIRECT_OUTPUT:
        return result
    from gonghui.core.api import api

    data = {name: result[name] for name in ("count", "page", "page_size", "has_next", "count_exact")}
    data["items"] = [offering_out(offering) for offering in result["items"]]
    return api.create_response(request, data, status=200)


def offering_out(offering: Offering) -> dict[str, Any]:
    """``OfferingOut.model_dump()`` of ``offering``, built directly: the same keys in the same order and the
    same Python values (the JSON renderer then writes the same bytes)."""
    photo = offering.photo
    return {
        "uuid": offering.uuid, "title": offering.title, "domain": offering.domain,
        "domain_label": offering.get_domain_display(), "summary": offering.summary, "mode": offering.mode,
        "place": offering.place, "audience": offering.audience, "audience_label": offering.audience_label,
        "status": offering.status,
        "provider": {"uuid": offering.provider.uuid, "name": offering.provider.name},
        "union": {"uuid": offering.union.uuid, "name": offering.union.name},
        "rating": offering.rating, "rating_count": offering.rating_count, "served_count": offering.served_count,
        "remaining": getattr(offering, "remaining", None), "listed_at": offering.listed_at,
        "photo": None if photo is None else {"width": photo.width, "height": photo.height, "src": photo.src,
                                             "srcset": photo.srcset, "urls": photo.urls},
    }


def page_of(qs: Any, page: int, page_size: int, post: Any = None) -> dict[str, Any]:
    """The core API's page shape ({items, count, page, page_size}), with ``post`` applied to the items
    (to attach what one query per page computes, such as places left)."""
    from gonghui.core.api import Page

    result = Page().paginate_queryset(qs, Page.Input(page=page, page_size=page_size))
    if post is not None:
        result["items"] = post(result["items"])
    return result


def fresh_order(user: Any, order: Order) -> Order:
    """The order afresh, with its history and what ``user`` may do now, for OrderDetailOut."""
    fresh = Order.objects.select_related(
        "offering__provider__user", "offering__union", "batch", "slot", "union", "member__user", "member_union",
        "reorder_of").prefetch_related("events").get(pk=order.pk)
    with_actions(user, fresh)
    for event in fresh.events.all():  # the prefetched rows, which OrderDetailOut reads
        event.viewer_label = fresh.event_label_for(user, event.to_status)
    return fresh


def offering_data(body: OfferingIn, union: Union) -> catalogue.OfferingData:
    """OfferingData from the API body: brands among the union chain's matrix, audience union in its subtree."""
    brands = list(selectors.brand_choices(union).filter(uuid__in=body.brands)) if body.brands else []
    if len(brands) != len(set(body.brands)):
        raise ValidationFailed("所选品牌不属于本工会的品牌矩阵", detail={"brands": "所选品牌不属于本工会的品牌矩阵"})
    audience_union = None
    if body.audience_union:
        audience_union = Union.objects.subtree(union).filter(uuid=body.audience_union).first()
        if audience_union is None:
            raise ValidationFailed("指定的工会须在主办工会范围内",
                                   detail={"audience_union": "须是主办工会或其下级工会"})
    return catalogue.OfferingData(title=body.title, domain=body.domain, summary=body.summary, mode=body.mode,
                                  place=body.place, description=body.description, audience=body.audience,
                                  audience_union=audience_union, brands=brands)


def with_batches(offering: Offering) -> Offering:
    """The offering with all its batches and recent reviews, for OfferingDetailOut."""
    offering.batch_list = list(offering.batches.prefetch_related("slots").order_by("-opens_at", "-id"))
    offering.review_list = list(selectors.offering_reviews(offering))
    offering.remaining = sum(b.remaining for b in offering.batch_list if b.is_orderable())
    return offering


# --- Orders: the provider's account or writing staff ----------------------------------------------------------------

serve = Router(tags=["云集市：订单"])


@serve.post("/orders/{uuid:key}/assign", response=OrderDetailOut,
            summary="配货：安排服务人员和时间（服务方、工作人员）",
            operation_id="gonghui_market_api_orders_order_assign")
def order_assign(request: HttpRequest, key: UUID, body: OrderAssignIn) -> Any:
    order = order_for_service(request.user, key)
    order_services.order_assign(actor=request.user, order=order, server_name=body.server_name,
                                scheduled_at=body.scheduled_at)
    return fresh_order(request.user, order)


@serve.post("/orders/{uuid:key}/deliver", response=OrderDetailOut,
            summary="发货：标记服务完成，可附照片或PDF凭证（≤10MB，multipart）",
            operation_id="gonghui_market_api_orders_order_deliver")
def order_deliver(request: HttpRequest, key: UUID, note: Form[str] = "",
                  evidence: File[UploadedFile | None] = None) -> Any:
    order = order_for_service(request.user, key)
    order_services.order_deliver(actor=request.user, order=order, note=note, evidence=evidence)
    return fresh_order(request.user, order)


@serve.post("/orders/{uuid:key}/no-show", response=OrderDetailOut, summary="标记未到场（服务方、工作人员）",
            operation_id="gonghui_market_api_orders_order_no_show")
def order_no_show(request: HttpRequest, key: UUID, body: MarketNoteIn) -> Any:
    order = order_for_service(request.user, key)
    order_services.order_mark_no_show(actor=request.user, order=order, note=body.note)
    return fresh_order(request.user, order)


# --- Offerings and batches: the provider's account or writing staff -------------------------------------------------

manage = Router(tags=["云集市：工会管理"])


@manage.post("/offerings/{uuid:key}/list", response=OfferingDetailOut, summary="上架（工作人员或服务方）",
             operation_id="gonghui_market_api_manage_offering_list")
def offering_list(request: HttpRequest, key: UUID) -> Any:
    offering = offering_for_manage(request.user, key)
    catalogue.offering_list(actor=request.user, offering=offering)
    return with_batches(offering)


@manage.post("/offerings/{uuid:key}/withdraw", response=OfferingDetailOut, summary="下架（工作人员或服务方）",
             operation_id="gonghui_market_api_manage_offering_withdraw")
def offering_withdraw(request: HttpRequest, key: UUID, body: MarketReasonIn) -> Any:
    offering = offering_for_manage(request.user, key)
    catalogue.offering_withdraw(actor=request.user, offering=offering, reason=body.reason)
    return with_batches(offering)


@manage.post("/offerings/{uuid:key}/batches", response={201: OfferingBatchOut},
             summary="备货/上新：添加批次（上架中的项目会通知关注者和曾下单的会员）",
             operation_id="gonghui_market_api_manage_batch_add")
def batch_add(request: HttpRequest, key: UUID, body: OfferingBatchIn) -> Any:
    offering = offering_for_manage(request.user, key)
    data = catalogue.BatchData(name=body.name, capacity=body.capacity, opens_at=body.opens_at,
                               serves_from=body.serves_from, serves_until=body.serves_until,
                               closes_at=body.closes_at,
                               slots=[catalogue.SlotData(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
                                      for s in body.slots])
    return Status(201, catalogue.batch_add(actor=request.user, offering=offering, data=data))


@manage.post("/batches/{uuid:key}/close", response=OfferingBatchOut, summary="结束批次预约（工作人员或服务方）",
             operation_id="gonghui_market_api_manage_batch_close")
def batch_close(request: HttpRequest, key: UUID) -> Any:
    batch = batch_for_manage(request.user, key)
    return catalogue.batch_close(actor=request.user, batch=batch)


# --- The one router -------------------------------------------------------------------------------------------------


def _router() -> Router:
    # Imported here: the audience modules import the shared helpers above from this package.
    from . import provider, staff, worker

    return module_router("云集市", worker.browse, worker.orders, serve, worker.needs, provider.router, manage,
                         staff.router)


router = _router()
