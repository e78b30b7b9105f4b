"""/api/v1/members/me… and /api/v1/members/rights-requests…: a member's own data and their
personal-information requests, and the staff queue that handles them."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page

from ..access import access_rights_request, own_member, require_member
from ..models import Member, RightsRequest, RightsRequestKind, RightsRequestStatus
from ..services import rights as services

router = Router(tags=["个人信息权利"])


class MyMemberOut(Schema):
    """The member's own record, with identifiers masked (GET /me/export has them in full)."""

    uuid: UUID
    name: str
    id_number: str = Field(..., description="身份证号码（脱敏）")
    phone: str = Field(..., description="手机号码（脱敏）")
    gender: str
    birth_date: date | None
    education: str
    household: str
    employment_form: str
    gig_occupation: str
    employer: str | None
    union: str
    card_no: str | None
    join_date: date
    status: str
    status_label: str

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_employer(obj: Any) -> str | None:
        return obj.employer.name if obj.employer_id else None

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return obj.union.name

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class RightsRequestIn(Schema):
    kind: str = Field(..., description="correction 更正 / withdraw_consent 撤回同意 / deletion 删除")
    details: str = Field("", max_length=1000)


class RightsRequestOut(Schema):
    uuid: UUID
    kind: str
    kind_label: str
    details: str
    status: str
    status_label: str
    response: str
    created_at: datetime
    handled_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class StaffRightsRequestOut(RightsRequestOut):
    member: UUID
    member_name: str = Field(..., description="会员姓名（脱敏）")
    union: str

    @staticmethod
    def resolve_member(obj: Any) -> UUID:
        return obj.member.uuid

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return obj.member.masked_name

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return obj.member.union.name


class HandleIn(Schema):
    outcome: str = Field(..., description="done 办结 / rejected 不予办理")
    response: str = Field("", max_length=300)
    # corrections only: the fields given are changed
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    education: str = ""
    household: str = ""


class RightsFilter(Schema):
    status: str = ""
    kind: str = ""


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
