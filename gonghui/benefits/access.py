"""Access gates of the benefits app (see core/scope.py). Views, API, tasks and exports load branch
data only through these.

Three kinds of caller:

* union staff: partners, campaigns and lotteries of their branch (``access_partner`` …), 404
  outside it, 403 for a read-only role trying to change something;
* a worker: their own coupons (``own_coupon``), through their membership;
* a partner's account (``PartnerStaff``): coupons of campaigns that accept their partner, found by
  code at the counter (``partner_of``; the service checks the campaign accepts the partner), and
  the redemptions it made (``partner_redemption``).

Owner-side lookups go through ``core.scope.owned``; the HTML pages and the API call the same
function here, so no lookup is written twice.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.scope import DATA_ROLES, gate, owned, scope_of
from gonghui.lib.text import parse_uuid
from gonghui.members.access import own_member
from gonghui.unions.models import Union

from .models import Campaign, Coupon, CouponStatus, Lottery, LotteryStatus, Partner, PartnerStaff

NOT_A_MEMBER = "您还不是工会会员，入会后即可领取工会普惠券"


def access_partner(user: Any, key: Any, *, write: bool = False) -> Partner:
    return gate(user, Partner.objects.select_related("union"), write=write, uuid=key)


def access_campaign(user: Any, key: Any, *, write: bool = False) -> Campaign:
    qs = Campaign.objects.select_related("union", "rule_version", "created_by", "launched_by")
    return gate(user, qs, write=write, uuid=key)


def access_lottery(user: Any, key: Any, *, write: bool = False) -> Lottery:
    qs = Lottery.objects.select_related("union", "drawn_by").defer("pool_ids")
    return gate(user, qs, write=write, uuid=key)


def access_union_data(user: Any, key: Any) -> Union:
    """A union whose member data the user may read (previews count members; auditors may not)."""
    scope = scope_of(user)
    return gate(user, Union.objects.filter(scope.q("path", DATA_ROLES)), uuid=key)


def own_coupon(user: Any, key: Any) -> Coupon:
    """One of the signed-in worker's own coupons (404 for anyone else's, exactly as for none)."""
    qs = Coupon.objects.select_related("campaign__union", "rule_version", "redeemed_partner", "member")
    return owned(qs, owner=own_member(user), via="member", message="未找到该券", uuid=key)


def published_lottery(key: Any) -> Lottery:
    """A drawn lottery for its public announcement (公示); NotFound for a draft or none. No login."""
    found = parse_uuid(key)
    lottery = (Lottery.objects.select_related("union").defer("pool_ids").prefetch_related("prizes")
               .filter(uuid=found, status=LotteryStatus.DRAWN).first()) if found else None
    if lottery is None:
        raise NotFound("未找到该抽奖，或尚未开奖")
    return lottery


def partner_role(user: Any) -> PartnerStaff | None:
    """The user's partner account, if they work for a partner."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PartnerStaff.objects.select_related("partner__union").filter(user=user).first()


def partner_of(user: Any) -> Partner:
    """The partner the signed-in user redeems for; Forbidden for anyone who doesn't work for one."""
    role = partner_role(user)
    if role is None:
        raise Forbidden("只有合作商户的核销人员可以使用此功能")
    return role.partner


def partner_redemption(user: Any, key: Any) -> tuple[Partner, Coupon]:
    """The signed-in partner account's partner and one coupon that partner redeemed (for 撤销)."""
    partner = partner_of(user)
    qs = Coupon.objects.select_related("campaign__union", "member__user", "redeemed_partner").filter(
        status=CouponStatus.REDEEMED)
    return partner, owned(qs, owner=partner, via="redeemed_partner", message="未找到本商户的这笔核销", uuid=key)


def partner_staff_of(partner: Partner, key: Any) -> PartnerStaff:
    """One redemption account of ``partner`` (the partner was gated by the caller)."""
    return owned(PartnerStaff.objects.select_related("partner", "user"), owner=partner, via="partner", uuid=key)
