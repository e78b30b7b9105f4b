"""/api/v1/members/me… and /api/v1/members/rights-requests…: a member's own data and their
personal-information requests, and the staff queue that handles them."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page

from ..access import access_rights_request, own_member, require_member
from ..models import Member, RightsRequest, RightsRequestKind, RightsRequestStatus
from ..schemas import HandleIn, MyMemberOut, RightsFilter, RightsRequestIn, RightsRequestOut, StaffRightsRequestOut
from ..services import rights as services

router = Router(tags=["个人信息权利"])


@router.get("/me", response=MyMemberOut, summary="我的会员信息（脱敏）")
def me(request: HttpRequest) -> Member:
    return require_member(request.user)


@router.get("/me/export", response=dict, summary="下载我的全部个人信息（完整，留痕）")
def me_export(request: HttpRequest) -> dict:
    return services.my_data_export(member=require_member(request.user), actor=request.user)


@router.get("/me/requests", response=list[RightsRequestOut], summary="我的个人信息权利请求")
def my_requests(request: HttpRequest) -> list[RightsRequest]:
    member = own_member(request.user)
    return list(RightsRequest.objects.filter(member=member)) if member else []


@router.post("/me/requests", response={201: RightsRequestOut}, summary="提出更正、撤回同意或删除请求")
def my_request_create(request: HttpRequest, payload: RightsRequestIn) -> Status:
    item = services.rights_request_create(actor=request.user, member=require_member(request.user), kind=payload.kind,
                                          details=payload.details)
    return Status(201, item)


@router.get("/rights-requests", response=list[StaffRightsRequestOut], summary="个人信息权利请求（范围内）")
@paginate(Page)
def rights_list(request: HttpRequest, filters: Query[RightsFilter]):  # noqa: ANN201
    qs = RightsRequest.objects.visible_to(request.user).select_related("member__union")
    if filters.status in RightsRequestStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in RightsRequestKind.values:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-created_at", "-id")


@router.get("/rights-requests/{uuid:key}", response=StaffRightsRequestOut, summary="权利请求详情")
def rights_get(request: HttpRequest, key: UUID) -> RightsRequest:
    return access_rights_request(request.user, key)


@router.post("/rights-requests/{uuid:key}/handle", response=StaffRightsRequestOut,
             summary="处理权利请求（办结：更正，或对撤回同意/删除进行匿名化）")
def rights_handle(request: HttpRequest, key: UUID, payload: HandleIn) -> RightsRequest:
    item = access_rights_request(request.user, key, write=True)
    data = payload.dict()
    correction = {k: data.pop(k) for k in services.CORRECTABLE}
    services.rights_request_handle(actor=request.user, rights_request=item, correction=correction,
                                   **data)
    return RightsRequest.objects.select_related("member__union").get(pk=item.pk)
