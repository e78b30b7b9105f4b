"""/api/v1/members/card…: the worker's own e-member card and the staff card check."""


from django.http import HttpRequest
from ninja import Router

from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.scope import scope_of

from ..access import require_member
from ..models import Member
from ..schemas import CardCheckOut, CardOut
from ..services import card as services

router = Router(tags=["电子会员卡"])


def _card(request: HttpRequest, member: Member) -> dict:
    valid = member.status in services.VALID_STATUSES
    return {
        "card_no": member.card_no, "name": member.name, "union_name": member.union.name, "join_date": member.join_date,
        "status": member.status, "status_label": member.get_status_display(), "valid": valid,
        "token": member.card_token if valid else None,
        "qr_payload": services.card_payload(member, base_url=request.build_absolute_uri("/")) if valid else None,
        "rotated_at": member.card_token_rotated_at, "expires_at": services.card_token_expires_at(member),
    }


@router.get("/card", response=CardOut, summary="我的电子会员卡（令牌超过24小时自动刷新）")
def card_get(request: HttpRequest) -> dict:
    member = require_member(request.user)
    if member.status in services.VALID_STATUSES:
        services.card_refresh_if_stale(member=member, actor=request.user)
    return _card(request, member)


@router.post("/card/rotate", response=CardOut, summary="刷新二维码（旧二维码立即失效）")
def card_rotate(request: HttpRequest) -> dict:
    member = require_member(request.user)
    if member.status not in services.VALID_STATUSES:
        raise Conflict(f"会籍状态为「{member.get_status_display()}」，电子会员卡已失效")
    services.card_refresh(member=member, actor=request.user)
    return _card(request, member)


@router.get("/card/verify/{token}", response=CardCheckOut, summary="核验会员卡（工作人员）")
def card_verify(request: HttpRequest, token: str) -> dict:
    # Partner merchants will get their own grant later; today only union staff may check cards.
    if not scope_of(request.user).is_staff:
        raise Forbidden("只有工会工作人员可以核验会员卡")
    return services.card_verify(token=token, actor=request.user)
