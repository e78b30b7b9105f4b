"""/api/v1/market/manage/… (staff) and the offering/batch transitions shared with provider accounts.

Staff lists start from ``visible_to``; single objects come through the ``access_*`` gates (404 out
of scope, 403 for a read-only role writing); offering and batch changes accept the provider's own
account too (``offering_for_manage``). The same services as the console pages."""

from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from gonghui.accounts.models import User
from gonghui.core.errors import ValidationFailed
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Union

from .. import selectors
from ..access import (
    access_need,
    access_need_category,
    access_offering,
    access_order,
    access_provider,
    batch_for_manage,
    offering_for_manage,
)
from ..models import OPEN_STATUSES, Need, NeedCategory, NeedStatus, Offering, Order, Review
from ..schemas import (
    AnswerIn,
    BatchIn,
    BatchOut,
    BulkAssignIn,
    BulkAssignOut,
    CategoryIn,
    CategoryOut,
    CountsOut,
    NeedOut,
    OfferingDetailOut,
    OfferingIn,
    OfferingOut,
    OrderOut,
    ProviderIn,
    ProviderOut,
    ReasonIn,
    ReviewOut,
    StaffOfferingIn,
    StatsOut,
    WorkloadOut,
)
from ..services import catalogue, needs, orders
from .common import page_of, with_actions, with_remaining

router = Router(tags=["云集市：工会管理"])
PER_PAGE = settings.NINJA_PAGINATION_PER_PAGE


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


def offering_detail(offering: Offering) -> Offering:
    """The offering with all its batches and recent reviews, for OfferingDetailOut."""
    offering.batch_list = list(offering.batches.prefetch_related("slots").order_by("-opens_at", "-id"))
    offering.review_list = list(selectors.offering_reviews(offering))
    offering.remaining = sum(b.remaining for b in offering.batch_list if b.is_orderable())
    return offering


class OfferingPage(Schema):
    items: list[OfferingOut]
    count: int
    page: int
    page_size: int


class OrderPage(Schema):
    items: list[OrderOut]
    count: int
    page: int
    page_size: int


class WorkloadPage(Schema):
    items: list[WorkloadOut]
    count: int
    page: int
    page_size: int


class ReviewItem(ReviewOut):
    offering: UUID
    offering_title: str

    @staticmethod
    def resolve_offering(obj: Any) -> UUID:
        return obj.offering.uuid

    @staticmethod
    def resolve_offering_title(obj: Any) -> str:
        return obj.offering.title


# --- Offerings and batches (staff, or the provider's account) -----------------------------------------------------


@router.get("/manage/offerings", response=OfferingPage, summary="服务项目（按状态、领域、关键词）")
def manage_offerings(request: HttpRequest, status: str = "", domain: str = "", q: str = "", page: int = 1,
                     page_size: int = PER_PAGE) -> Any:
    qs = selectors.offering_list(request.user, {"status": status, "domain": domain, "q": q})
    return page_of(qs, page, page_size, post=with_remaining)


@router.post("/manage/offerings", response={201: OfferingDetailOut}, summary="新建服务项目（备货）")
def manage_offering_create(request: HttpRequest, body: StaffOfferingIn) -> Any:
    provider = access_provider(request.user, body.provider, write=True)
    offering = catalogue.offering_create(actor=request.user, provider=provider,
                                         data=offering_data(body, provider.union))
    return Status(201, offering_detail(access_offering(request.user, offering.uuid)))


@router.get("/manage/offerings/{uuid:key}", response=OfferingDetailOut, summary="服务项目详情（含全部批次）")
def manage_offering(request: HttpRequest, key: UUID) -> Any:
    return offering_detail(access_offering(request.user, key))


@router.post("/offerings/{uuid:key}/list", response=OfferingDetailOut, summary="上架（工作人员或服务方）")
def offering_list(request: HttpRequest, key: UUID) -> Any:
    offering = offering_for_manage(request.user, key)
    catalogue.offering_list(actor=request.user, offering=offering)
    return offering_detail(offering)


@router.post("/offerings/{uuid:key}/withdraw", response=OfferingDetailOut, summary="下架（工作人员或服务方）")
def offering_withdraw(request: HttpRequest, key: UUID, body: ReasonIn) -> Any:
    offering = offering_for_manage(request.user, key)
    catalogue.offering_withdraw(actor=request.user, offering=offering, reason=body.reason)
    return offering_detail(offering)


@router.post("/offerings/{uuid:key}/batches", response={201: BatchOut},
             summary="备货/上新：添加批次（上架中的项目会通知关注者和曾下单的会员）")
def batch_add(request: HttpRequest, key: UUID, body: BatchIn) -> Any:
    offering = offering_for_manage(request.user, key)
    data = catalogue.BatchData(name=body.name, capacity=body.capacity, opens_at=body.opens_at,
                               closes_at=body.closes_at,
                               slots=[catalogue.SlotData(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
                                      for s in body.slots])
    return Status(201, catalogue.batch_add(actor=request.user, offering=offering, data=data))


@router.post("/batches/{uuid:key}/close", response=BatchOut, summary="结束批次预约（工作人员或服务方）")
def batch_close(request: HttpRequest, key: UUID) -> Any:
    batch = batch_for_manage(request.user, key)
    return catalogue.batch_close(actor=request.user, batch=batch)


# --- The order board ------------------------------------------------------------------------------------------------


@router.get("/manage/orders", response=OrderPage, summary="订单看板（按状态、领域、服务项目）")
def manage_orders(request: HttpRequest, status: str = "", domain: str = "", offering: str = "", page: int = 1,
                  page_size: int = PER_PAGE) -> Any:
    qs = selectors.order_board(request.user, {"status": status, "domain": domain, "offering": offering})
    qs = qs.select_related("offering__provider__user").prefetch_related(
        "union", "member__user", "reorder_of", "review")
    return page_of(qs, page, page_size, post=lambda items: [with_actions(request.user, o) for o in items])


@router.get("/manage/orders/counts", response=CountsOut,
            summary="订单看板：办理中各状态（待配货、已配货、待签收）的数量；全部状态的合计见统计")
def manage_order_counts(request: HttpRequest, domain: str = "", offering: str = "") -> Any:
    qs = selectors.order_filters(Order.objects.visible_to(request.user), {"domain": domain, "offering": offering})
    return {"counts": selectors.status_counts(qs, OPEN_STATUSES)}


@router.post("/manage/orders/assign", response=BulkAssignOut, summary="批量配货（逐单办理，个别失败不影响其他）")
def manage_orders_assign(request: HttpRequest, body: BulkAssignIn) -> Any:
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


@router.get("/manage/providers", response=WorkloadPage, summary="服务方及工作量")
def manage_providers(request: HttpRequest, kind: str = "", q: str = "", page: int = 1,
                     page_size: int = PER_PAGE) -> Any:
    qs = selectors.provider_list(request.user, {"kind": kind, "q": q})

    def workloads(items: list[Any]) -> list[Any]:
        return [{"provider": w.provider, "offerings": w.offerings, "counts": w.counts, "served": w.served}
                for w in selectors.provider_workload(request.user, items)]

    return page_of(qs, page, page_size, post=workloads)


@router.post("/manage/providers", response={201: ProviderOut}, summary="添加服务方")
def manage_provider_create(request: HttpRequest, body: ProviderIn) -> Any:
    union = access_union_for_work(request.user, body.union)
    data = catalogue.ProviderData(kind=body.kind, name=body.name, title_level=body.title_level,
                                  specialty=body.specialty, bio=body.bio)
    provider = catalogue.provider_create(actor=request.user, union=union, data=data,
                                         account=_account(body.account_phone))
    return Status(201, provider)


@router.get("/manage/providers/{uuid:key}", response=WorkloadOut, summary="服务方详情及工作量")
def manage_provider(request: HttpRequest, key: UUID) -> Any:
    provider = access_provider(request.user, key)
    w = selectors.provider_workload(request.user, [provider])[0]
    return {"provider": provider, "offerings": w.offerings, "counts": w.counts, "served": w.served}


@router.get("/manage/reviews", response=list[ReviewItem], summary="评价（最近100条）")
def manage_reviews(request: HttpRequest, rating: int | None = None) -> Any:
    qs = (Review.objects.filter(offering__in=Offering.objects.visible_to(request.user))
          .select_related("offering", "order__member").order_by("-created_at", "-id"))
    if rating:
        qs = qs.filter(rating=rating)
    return list(qs[:100])


# --- Needs -----------------------------------------------------------------------------------------------------------


@router.get("/manage/needs", response=list[NeedOut], summary="职工需求（按分类、状态；最近200条）")
def manage_needs(request: HttpRequest, status: str = NeedStatus.OPEN, category: UUID | None = None) -> Any:
    qs = Need.objects.visible_to(request.user).select_related("category", "union", "member", "answer_offering",
                                                              "answer_provider")
    if status in NeedStatus.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__uuid=category)
    return list(qs.order_by("-created_at", "-id")[:200])


@router.post("/manage/needs/{uuid:key}/answer", response=NeedOut, summary="回应需求：推荐服务项目或服务方")
def manage_need_answer(request: HttpRequest, key: UUID, body: AnswerIn) -> Any:
    need = access_need(request.user, key, write=True)
    offering = access_offering(request.user, body.offering) if body.offering else None
    provider = access_provider(request.user, body.provider) if body.provider else None
    return needs.need_answer(actor=request.user, need=need, offering=offering, provider=provider, text=body.text)


@router.get("/manage/need-categories", response=list[CategoryOut], summary="需求分类（范围内各工会）")
def manage_categories(request: HttpRequest) -> Any:
    return list(NeedCategory.objects.visible_to(request.user).select_related("union").order_by(
        "union__path", "position", "id"))


@router.post("/manage/need-categories", response={201: CategoryOut}, summary="添加需求分类")
def manage_category_create(request: HttpRequest, body: CategoryIn) -> Any:
    union = access_union_for_work(request.user, body.union)
    category = needs.need_category_save(actor=request.user, union=union, name=body.name, position=body.position,
                                        is_active=body.is_active)
    return Status(201, category)


@router.put("/manage/need-categories/{uuid:key}", response=CategoryOut, summary="修改需求分类")
def manage_category_update(request: HttpRequest, key: UUID, body: CategoryIn) -> Any:
    category = access_need_category(request.user, key, write=True)
    return needs.need_category_save(actor=request.user, union=category.union, name=body.name,
                                    position=body.position, is_active=body.is_active, category=category)


# --- Statistics ------------------------------------------------------------------------------------------------------


@router.get("/manage/stats", response=StatsOut, summary="服务统计：按领域、品牌、服务方、工会（服务人次）")
def manage_stats(request: HttpRequest, since: date | None = None, until: date | None = None) -> Any:
    data = selectors.statistics(request.user, selectors.Period(since=since, until=until))
    return {"total": data.total, "domains": data.domains, "brands": data.brands, "providers": data.providers,
            "unions": data.unions}
