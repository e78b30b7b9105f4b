"""/api/v1/members/transfers…: 会籍转移 for the member (self-service) and for both sides' staff.

The same gates (access.py) and services (services/transfer.py) as the pages.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import NotFound
from gonghui.core.scope import scope_of

from ..access import access_member, access_transfer, own_member
from ..models import Transfer, TransferStatus
from ..schemas import CancelIn, NoteIn, ReasonIn, TransferFilter, TransferIn, TransferOut
from ..services import transfer as services

router = Router(tags=["会籍转移"])


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
