"""The partner's counter over the API (a merchant app or mini-program): check a scanned code, redeem
it, see and reverse today's redemptions, check a member's e-card. Only accounts that work for a
partner (403 for everyone else)."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from gonghui.core.errors import DomainError
from gonghui.members.schemas import CardCheckOut
from gonghui.members.services.card import card_verify

from ..access import partner_of, partner_redemption
from ..models import Coupon
from ..schemas import BenefitsReasonIn, CheckOut, RedeemIn, RedemptionOut
from ..selectors import partner_today
from ..services import redemption

# The operation ids keep the names this module had as api/merchant.py (clients generate code from them).
router = Router(tags=["普惠服务·商户核销"])


@router.get("/merchant/coupons/{code}", response=CheckOut, summary="查询券码（核销前核对）",
             operation_id="gonghui_benefits_api_merchant_check")
def check(request: HttpRequest, code: str) -> dict:
    partner = partner_of(request.user)
    coupon = redemption.find_coupon(code)
    reason = ""
    try:
        redemption.check_usable(coupon, partner)
    except DomainError as exc:
        reason = exc.message
    campaign = coupon.campaign
    return {"code": coupon.code, "campaign_name": campaign.name, "face_label": campaign.face_label,
            "coupon_type": campaign.coupon_type, "min_spend_cents": campaign.min_spend_cents,
            "holder": coupon.member.masked_name, "usable": not reason, "reason": reason}


@router.post("/merchant/redeem", response=RedemptionOut, summary="核销（同一张券只能核销一次）",
              operation_id="gonghui_benefits_api_merchant_redeem")
def redeem(request: HttpRequest, payload: RedeemIn) -> Coupon:
    partner = partner_of(request.user)
    return redemption.coupon_redeem(actor=request.user, partner=partner, code=payload.code,
                                    bill_cents=payload.bill_cents)


@router.get("/merchant/today", response=list[RedemptionOut], summary="本商户今日核销",
             operation_id="gonghui_benefits_api_merchant_today")
def today(request: HttpRequest) -> list[Coupon]:
    return list(partner_today(partner_of(request.user)))


@router.post("/merchant/coupons/{uuid:key}/reverse", response=RedemptionOut, summary="撤销当天的核销（须填原因）",
              operation_id="gonghui_benefits_api_merchant_reverse")
def reverse(request: HttpRequest, key: UUID, payload: BenefitsReasonIn) -> Coupon:
    partner, coupon = partner_redemption(request.user, key)
    return redemption.coupon_reverse(actor=request.user, coupon=coupon, partner=partner, reason=payload.reason)


@router.get("/merchant/card/{token}", response=CardCheckOut, summary="核验会员卡（合作商户）",
             operation_id="gonghui_benefits_api_merchant_card")
def card(request: HttpRequest, token: str) -> dict:
    partner_of(request.user)
    return card_verify(token=token, actor=request.user)
