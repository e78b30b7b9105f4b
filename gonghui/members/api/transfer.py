"""/api/v1/members/transfers…: 会籍转移 for the member (self-service) and for both sides' staff.

The same gates (access.py) and services (services/transfer.py) as the pages.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import NotFound
from gonghui.core.scope import scope_of

from ..access import access_member, access_transfer, own_member
from ..models import Transfer, TransferStatus
from ..services import transfer as services

router = Router(tags=["会籍转移"])


class UnionRef(Schema):
    uuid: UUID
    name: str


class TransferEventOut(Schema):
    from_status: str
    to_status: str
    to_status_label: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_to_status_label(obj: Any) -> str:
        return obj.get_to_status_display()


class TransferOut(Schema):
    uuid: UUID
    status: str
    status_label: str
    member: UUID
    member_name: str = Field(..., description="会员姓名（脱敏）")
    from_union: UnionRef
    to_union: UnionRef
    to_employer: str | None
    started_by_member: bool
    reason: str
    refusal_reason: str
    created_at: datetime
    updated_at: datetime
    events: list[TransferEventOut]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_member(obj: Any) -> UUID:
        return obj.member.uuid

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return obj.member.masked_name

    @staticmethod
    def resolve_to_employer(obj: Any) -> str | None:
        return obj.to_employer.name if obj.to_employer_id else None

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())


class TransferIn(Schema):
    to_union: UUID | None = Field(None, description="转入的工会；只选单位时可省略")
    to_employer: UUID | None = Field(None, description="新工作单位（可选）")
    member: UUID | None = Field(None, description="工作人员为会员发起时填写会员标识；会员本人申请时省略")
    reason: str = Field("", max_length=300)


class NoteIn(Schema):
    note: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


class TransferFilter(Schema):
    direction: str = Field("", description="out：从我的范围转出；in：转入我的范围；空：全部")
    status: str = Field("", description="状态；open 表示办理中")


def _full(key: Any) -> Transfer:
    return (Transfer.objects.select_related("member__union", "member__employer", "from_union", "to_union",
                                            "to_employer")
            .prefetch_related("events").get(uuid=key))


def _visible(user: Any, key: UUID) -> Transfer:
    """Staff of either side through the gate; otherwise the member's own transfer; else 404."""
    if scope_of(user).is_staff:
        try:
            return access_transfer(user, key)
        except NotFound:
            pass
    member = own_member(user)
    transfer = (Transfer.objects.select_related("member__union", "from_union", "to_union")
                .filter(uuid=key, member=member).first()) if member else None
    if transfer is None:
        raise NotFound()
    return transfer


@router.post("/transfers", response={201: TransferOut}, summary="发起会籍转移（会员本人或转出工会）")
def transfer_create(request: HttpRequest, payload: TransferIn) -> Status:
    if payload.member is not None:
        member = access_member(request.user, payload.member, write=True)
    else:
        member = own_member(request.user)
        if member is None:
            raise NotFound("您还不是工会会员")
    union, employer = services.resolve_target(union_key=payload.to_union, employer_key=payload.to_employer)
    transfer = services.transfer_start(actor=request.user, member=member, to_union=union, to_employer=employer,
                                       reason=payload.reason)
    return Status(201, _full(transfer.uuid))


@router.get("/transfers/mine", response=list[TransferOut], summary="我的会籍转移")
def transfer_mine(request: HttpRequest) -> list[Transfer]:
    member = own_member(request.user)
    if member is None:
        return []
    return list(Transfer.objects.filter(member=member).select_related(
        "member", "from_union", "to_union", "to_employer").prefetch_related("events"))


@router.get("/transfers", response=list[TransferOut], summary="会籍转移列表（转出/转入，范围内）")
@paginate(Page)
def transfer_list(request: HttpRequest, filters: Query[TransferFilter]):  # noqa: ANN201
    scope = scope_of(request.user)
    qs = Transfer.objects.visible_to(request.user)
    if filters.direction == "out":
        qs = qs.filter(scope.q("from_union__path"))
    elif filters.direction == "in":
        qs = qs.filter(scope.q("to_union__path"))
    if filters.status == "open":
        qs = qs.filter(status__in=services.OPEN_STATUSES)
    elif filters.status in TransferStatus.values:
        qs = qs.filter(status=filters.status)
    return (qs.select_related("member", "from_union", "to_union", "to_employer").prefetch_related("events")
            .order_by("-updated_at", "-id"))


@router.get("/transfers/{uuid:key}", response=TransferOut, summary="会籍转移详情")
def transfer_get(request: HttpRequest, key: UUID) -> Transfer:
    return _full(_visible(request.user, key).uuid)


@router.post("/transfers/{uuid:key}/release", response=TransferOut, summary="同意转出（转出工会）")
def transfer_release(request: HttpRequest, key: UUID, payload: NoteIn | None = None) -> Transfer:
    transfer = access_transfer(request.user, key)
    services.transfer_release(actor=request.user, transfer=transfer, note=payload.note if payload else "")
    return _full(key)


@router.post("/transfers/{uuid:key}/accept", response=TransferOut, summary="接收（转入工会）")
def transfer_accept(request: HttpRequest, key: UUID, payload: NoteIn | None = None) -> Transfer:
    transfer = access_transfer(request.user, key)
    services.transfer_accept(actor=request.user, transfer=transfer, note=payload.note if payload else "")
    return _full(key)


@router.post("/transfers/{uuid:key}/refuse", response=TransferOut, summary="退回（转入工会，须说明原因）")
def transfer_refuse(request: HttpRequest, key: UUID, payload: ReasonIn) -> Transfer:
    transfer = access_transfer(request.user, key)
    services.transfer_refuse(actor=request.user, transfer=transfer, reason=payload.reason)
    return _full(key)


@router.post("/transfers/{uuid:key}/cancel", response=TransferOut, summary="撤销（会员本人或转出工会）")
def transfer_cancel(request: HttpRequest, key: UUID, payload: CancelIn | None = None) -> Transfer:
    transfer = _visible(request.user, key)
    services.transfer_cancel(actor=request.user, transfer=transfer, reason=payload.reason if payload else "")
    return _full(key)
