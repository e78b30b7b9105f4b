"""核销: a partner redeems a coupon by its code (scanned from the member's QR or typed), exactly once;
a same-day reversal with a reason (the reconciliation reads are in selectors.py).

"Exactly once" is one guarded UPDATE (``… SET status = 'redeemed' WHERE id = … AND status =
'issued'``): of two scans at the same moment the database lets one through and the other finds no
row to change.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gonghui.core import events
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text

from ..models import (
    CODE_LENGTH,
    Campaign,
    CampaignStatus,
    Coupon,
    CouponEvent,
    CouponEventKind,
    CouponStatus,
    CouponType,
    Partner,
    yuan,
)

if TYPE_CHECKING:
    from gonghui.accounts.models import User

_CODE = re.compile(rf"[0-9A-F]{{{CODE_LENGTH}}}")
MAX_BILL_CENTS = 100_000_000  # 1,000,000 元
INVALID_CODE = "券码无效，请核对后重新输入或扫码"


def normalize_code(text: str) -> str:
    """What a scanner or a typist delivered → the bare code (spaces, dashes, case don't matter)."""
    return re.sub(r"[\s\-]", "", (text or "")).upper()[:40]


def find_coupon(code: str) -> Coupon:
    """The coupon behind a code, for the counter. NotFound for anything that is not a live code."""
    code = normalize_code(code)
    coupon = None
    if _CODE.fullmatch(code):
        coupon = (Coupon.objects.select_related("campaign__union", "member__union", "member__user",
                                                "redeemed_partner", "rule_version").filter(code=code).first())
    if coupon is None:
        raise NotFound(INVALID_CODE, code="invalid_code")
    return coupon


def check_usable(coupon: Coupon, partner: Partner, *, on: date | None = None) -> None:
    """Why ``partner`` may not redeem ``coupon`` today, as a domain error; nothing when it may."""
    on = on or timezone.localdate()
    campaign = coupon.campaign
    if not partner.is_serving(on):
        raise Forbidden("本商户的合作已暂停或不在合作期内，暂不能核销", code="partner_inactive")
    if not campaign.partners.filter(pk=partner.pk).exists():
        raise Forbidden(f"「{campaign.name}」不能在本商户使用", code="not_accepted")
    if coupon.status == CouponStatus.REDEEMED:
        when = timezone.localtime(coupon.redeemed_at).strftime("%Y-%m-%d %H:%M")
        raise Conflict(f"该券已于{when}核销，不能重复使用", code="already_redeemed")
    if campaign.status == CampaignStatus.ENDED or on > campaign.ends_on:
        raise Conflict("该券已过期", code="expired")
    if campaign.status != CampaignStatus.ACTIVE or on < campaign.starts_on:
        raise Conflict(f"该券{campaign.starts_on:%Y-%m-%d}起可用", code="not_started")


def quote(campaign: Campaign, bill_cents: int | None) -> int:
    """The discount (分) a coupon gives on a bill; ValidationFailed when the bill does not qualify."""
    if bill_cents is not None and not 0 < bill_cents <= MAX_BILL_CENTS:
        raise ValidationFailed("消费金额不正确", detail={"bill_cents": "消费金额不正确"})
    if campaign.min_spend_cents and (bill_cents is None or bill_cents < campaign.min_spend_cents):
        raise ValidationFailed(f"该券满{yuan(campaign.min_spend_cents)}元可用，请填写消费金额",
                               detail={"bill_cents": f"满{yuan(campaign.min_spend_cents)}元可用"})
    if campaign.coupon_type == CouponType.AMOUNT:
        face = int(campaign.face_cents or 0)
        return min(face, bill_cents) if bill_cents is not None else face
    if bill_cents is None:
        raise ValidationFailed("折扣券请填写消费金额", detail={"bill_cents": "请填写消费金额"})
    off = (bill_cents * (100 - int(campaign.pay_percent or 100)) + 50) // 100
    return min(off, int(campaign.max_discount_cents or 0))


def coupon_redeem(*, actor: User, partner: Partner, code: str, bill_cents: int | None = None) -> Coupon:
    """核销 a coupon at ``partner``: exactly once, even when scanned twice at the same moment.

    Preconditions: ``partner`` came through access.partner_of(actor). Raises NotFound for an unknown
    code, Forbidden when the campaign does not accept this partner, Conflict when the coupon is
    already redeemed (code "already_redeemed"), expired or not yet valid, ValidationFailed when the
    bill does not qualify.
    """
    coupon = find_coupon(code)
    check_usable(coupon, partner)
    campaign = coupon.campaign
    discount = quote(campaign, bill_cents)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        transition(coupon, to=CouponStatus.REDEEMED, from_=[CouponStatus.ISSUED], stamp=None,
                   changes={"redeemed_at": now, "redeemed_partner": partner, "redeemed_by": user,
                            "bill_cents": bill_cents, "discount_cents": discount},
                   message="该券刚刚已被核销，不能重复使用", code="already_redeemed",
                   history=lambda before: _redeemed(coupon, partner=partner, user=user, discount=discount, at=now),
                   audit="coupon.redeem", actor=actor, union=campaign.union,
                   detail={"partner": str(partner.uuid), "discount_cents": discount, "bill_cents": bill_cents})
        holder = coupon.member.user
        if holder is not None:
            notify(holder, f"您的「{campaign.name}」已核销",
                   f"{partner.name}于{timezone.localtime(now):%Y-%m-%d %H:%M}核销，优惠{yuan(discount)}元。"
                   "如非本人使用，请联系商户或工会。", url=reverse("benefits:coupon", args=[coupon.uuid]))
        events.publish("benefits.coupon_redeemed", coupon_id=coupon.pk, campaign_id=campaign.pk,
                       partner_id=partner.pk, member_id=coupon.member_id, discount_cents=discount)
    return coupon


def _redeemed(coupon: Coupon, *, partner: Partner, user: User | None, discount: int, at: datetime) -> None:
    """The history of a redemption: the campaign's redeemed counters move and a REDEEM event is kept."""
    Campaign.objects.filter(pk=coupon.campaign_id).update(redeemed_count=F("redeemed_count") + 1,
                                                          redeemed_cents=F("redeemed_cents") + discount)
    CouponEvent.objects.create(coupon=coupon, kind=CouponEventKind.REDEEM, partner=partner, actor=user,
                               bill_cents=coupon.bill_cents, discount_cents=discount, created_at=at)


def can_reverse(user: Any, coupon: Coupon, *, partner: Partner | None = None) -> bool:
    """The partner that redeemed it, or writing staff of the campaign's union."""
    if coupon.status != CouponStatus.REDEEMED:
        return False
    if partner is not None and coupon.redeemed_partner_id == partner.pk:
        return True
    return scope_of(user).can(coupon.campaign.union.path, WRITE_ROLES)


def coupon_reverse(*, actor: User, coupon: Coupon, reason: str, partner: Partner | None = None) -> Coupon:
    """撤销核销 on the day of the redemption, with a reason: the coupon is usable again.

    Preconditions: ``can_reverse(actor, coupon, partner=partner)``. Raises Conflict when it is not
    redeemed or was redeemed on an earlier day, ValidationFailed without a reason.
    """
    if not can_reverse(actor, coupon, partner=partner):
        raise Forbidden("只有核销该券的商户或发放工会的工作人员可以撤销核销")
    reason = clean_text(reason, field="reason", label="撤销原因", max_length=200, too_long="不能超过200字")
    if timezone.localdate(coupon.redeemed_at) != timezone.localdate():
        raise Conflict("只能撤销当天的核销", code="not_same_day")
    old_partner, discount, bill = coupon.redeemed_partner, int(coupon.discount_cents or 0), coupon.bill_cents
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        transition(coupon, to=CouponStatus.ISSUED, from_=[CouponStatus.REDEEMED], stamp=None,
                   guard={"redeemed_at": coupon.redeemed_at},
                   changes={"redeemed_at": None, "redeemed_partner": None, "redeemed_by": None, "bill_cents": None,
                            "discount_cents": None},
                   message="该券的核销状态已变化，请刷新后重试",
                   history=lambda before: _reversed(coupon, partner=old_partner, user=user, bill=bill,
                                                    discount=discount, reason=reason),
                   audit="coupon.reverse", actor=actor, union=coupon.campaign.union,
                   detail={"partner": str(old_partner.uuid) if old_partner else None, "reason": reason,
                           "discount_cents": discount})
        holder = coupon.member.user
        if holder is not None:
            notify(holder, f"您的「{coupon.campaign.name}」核销已撤销",
                   f"{old_partner.name if old_partner else '商户'}撤销了今天的核销（{reason}），券已退回，可继续使用。",
                   url=reverse("benefits:coupon", args=[coupon.uuid]))
        events.publish("benefits.coupon_reversed", coupon_id=coupon.pk, campaign_id=coupon.campaign_id,
                       partner_id=old_partner.pk if old_partner else None, discount_cents=discount)
    return coupon


def _reversed(coupon: Coupon, *, partner: Partner | None, user: User | None, bill: int | None, discount: int,
              reason: str) -> None:
    """The history of a reversal: the campaign's redeemed counters move back and a REVERSE event is kept."""
    Campaign.objects.filter(pk=coupon.campaign_id).update(redeemed_count=F("redeemed_count") - 1,
                                                          redeemed_cents=F("redeemed_cents") - discount)
    CouponEvent.objects.create(coupon=coupon, kind=CouponEventKind.REVERSE, partner=partner, actor=user,
                               bill_cents=bill, discount_cents=discount, reason=reason)
