"""/api/v1/market/offerings…: the catalogue a member browses, one offering, follow.

The same selectors and gates as the H5 pages (views/h5.py)."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.members.access import own_member
from gonghui.unions.models import Brand

from .. import selectors
from ..access import offering_for_manage, public_offering
from ..models import Follow
from ..schemas import FollowOut, OfferingDetailOut, OfferingIn, OfferingOut
from ..services import catalogue as services
from ..services.orders import audience_problem
from .common import page_of, with_remaining

router = Router(tags=["云集市：浏览"])


class OfferingPage(Schema):
    items: list[OfferingOut]
    count: int
    page: int
    page_size: int


@router.get("/offerings", response=OfferingPage, summary="浏览服务项目（按领域、品牌、关键词）")
def offering_browse(request: HttpRequest, q: str = "", domain: str = "", brand: UUID | None = None,
                    page: int = 1, page_size: int = settings.NINJA_PAGINATION_PER_PAGE) -> Any:
    member = own_member(request.user)
    chosen = Brand.objects.filter(uuid=brand).first() if brand else None
    qs = selectors.catalogue(member, q=q, domain=domain, brand=chosen)
    return page_of(qs, page, page_size, post=with_remaining)


@router.get("/offerings/{uuid:key}", response=OfferingDetailOut, summary="服务项目详情（剩余名额、评价）")
def offering_detail(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    member = own_member(request.user)
    offering.batch_list = selectors.offering_batches(offering)
    offering.review_list = list(selectors.offering_reviews(offering))
    offering.remaining = sum(b.remaining for b in offering.batch_list if b.is_orderable())
    offering.why_not = audience_problem(member, offering)
    offering.can_order = not offering.why_not and offering.remaining > 0
    offering.followed = Follow.objects.filter(user=request.user, offering=offering).exists()
    return offering


# On this router, beside GET of the same path: ninja routes a path to the router that declared it first.
@router.put("/offerings/{uuid:key}", response=OfferingDetailOut, summary="修改服务项目（工作人员或服务方）")
def offering_update(request: HttpRequest, key: UUID, body: OfferingIn) -> Any:
    from .manage import offering_data, offering_detail

    offering = offering_for_manage(request.user, key)
    services.offering_update(actor=request.user, offering=offering, data=offering_data(body, offering.union))
    return offering_detail(offering)


@router.post("/offerings/{uuid:key}/follow", response=FollowOut, summary="关注（上新时通知我）")
def offering_follow(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    return {"followed": services.follow_set(actor=request.user, offering=offering, on=True)}


@router.delete("/offerings/{uuid:key}/follow", response=FollowOut, summary="取消关注")
def offering_unfollow(request: HttpRequest, key: UUID) -> Any:
    offering = public_offering(key)
    return {"followed": services.follow_set(actor=request.user, offering=offering, on=False)}
