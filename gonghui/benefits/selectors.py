"""Read queries of the benefits app (DESIGN.md rule 1): what pages, the API and exports show.

Every function takes what a gate already returned (a member, a union, a queryset that started from
``visible_to``); none of them widens the caller's scope.

惠及人次 (``people_served``): coupons issued and redeemed per union subtree, counted where the
members are. A union's figures cover the members of its whole subtree, whichever union ran the
campaign (a province's 清凉券 redeemed by a district's rider counts for the district). The rows are the
children of the chosen union (or the caller's top unions); all of them come from one aggregate
query with one filtered count per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.scope import DATA_ROLES, scope_of
from gonghui.lib.masking import mask_name
from gonghui.members.models import Member
from gonghui.unions.models import Union

from .models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Coupon,
    CouponStatus,
    Lottery,
    LotteryStatus,
    Partner,
    Winner,
    yuan,
)
from .rules import check_rule, parse_rule, rule_queryset, rule_summary

# --- 抢券 and campaigns ------------------------------------------------------------------------------------


def is_eligible(campaign: Campaign, member: Member, *, on: date | None = None) -> bool:
    if campaign.rule_version is None:
        return False
    return rule_queryset(campaign.rule_version.rule, union=campaign.union, on=on).filter(pk=member.pk).exists()


def claimable(member: Member, *, on: date | None = None) -> list[dict[str, Any]]:
    """抢券 campaigns open to ``member`` today (the rule selects them), with how many they hold."""
    on = on or timezone.localdate()
    union_ids = [*member.union.ancestor_ids, member.union_id]
    campaigns = list(Campaign.objects.filter(status=CampaignStatus.ACTIVE, kind=CampaignKind.CLAIM, starts_on__lte=on,
                                             ends_on__gte=on, union_id__in=union_ids)
                     .select_related("union", "rule_version").order_by("ends_on", "pk"))
    held: dict[int, int] = {}
    for campaign_id in Coupon.objects.filter(member=member, campaign__in=campaigns).values_list("campaign_id",
                                                                                                flat=True):
        held[campaign_id] = held.get(campaign_id, 0) + 1
    found = []
    for campaign in campaigns:
        if is_eligible(campaign, member, on=on):
            found.append({"campaign": campaign, "held": held.get(campaign.pk, 0),
                          "can_claim": held.get(campaign.pk, 0) < campaign.per_member_limit
                          and campaign.remaining_count > 0})
    return found


def campaign_counts(campaign: Campaign) -> dict[str, Any]:
    """The live figures of a campaign's console page (read fresh from the counters)."""
    fresh = Campaign.objects.filter(pk=campaign.pk).values(
        "issued_count", "issued_cents", "redeemed_count", "redeemed_cents", "budget_count", "budget_cents").get()
    issued, budget = fresh["issued_count"], fresh["budget_count"]
    return {
        **fresh,
        "issued_yuan": yuan(fresh["issued_cents"]), "budget_yuan": yuan(fresh["budget_cents"]),
        "redeemed_yuan": yuan(fresh["redeemed_cents"]),
        "count_percent": int(100 * issued / budget) if budget else 0,
        "amount_percent": int(100 * fresh["issued_cents"] / fresh["budget_cents"]) if fresh["budget_cents"] else 0,
        "redeem_percent": int(100 * fresh["redeemed_count"] / issued) if issued else 0,
    }


def preview_count(*, union: Union, rule: dict[str, Any], on: date | None = None) -> dict[str, Any]:
    """How many current members a rule selects (the editor's 预览人数), and the rule in words."""
    parsed = check_rule(parse_rule(rule), union=union)
    on = on or timezone.localdate()
    return {"count": rule_queryset(parsed, union=union, on=on).count(),
            "summary": rule_summary(parsed, union=union), "rule": parsed.as_json(), "on": on}


COUPON_TABS = (("usable", "可使用"), ("used", "已使用"), ("expired", "已过期"))


def coupon_filters(on: date | None = None) -> dict[str, Q]:
    """我的券 tabs as filters: usable (issued, campaign still running), used, expired (issued, campaign over)."""
    on = on or timezone.localdate()
    expired = Q(status=CouponStatus.ISSUED) & (Q(campaign__status=CampaignStatus.ENDED) | Q(campaign__ends_on__lt=on))
    return {"usable": Q(status=CouponStatus.ISSUED) & ~expired, "used": Q(status=CouponStatus.REDEEMED),
            "expired": expired}


def member_coupons(member: Member, tab: str = "usable") -> QuerySet[Coupon]:
    """The member's coupons of one 我的券 tab (an unknown tab is "usable"), soonest to end first."""
    filters = coupon_filters()
    return (Coupon.objects.filter(member=member).filter(filters.get(tab, filters["usable"]))
            .select_related("campaign__union", "rule_version", "redeemed_partner")
            .order_by("campaign__ends_on", "-created_at"))


def member_coupon_counts(member: Member) -> dict[str, int]:
    base = Coupon.objects.filter(member=member)
    return {name: base.filter(q).count() for name, q in coupon_filters().items()}


# --- Lotteries -------------------------------------------------------------------------------------------


def member_lotteries(member: Member, *, limit: int = 50) -> list[dict[str, Any]]:
    """抽奖结果: drawn lotteries of the member's union and the unions above it, newest first, each
    with the member's win (a Winner with its prize) or None."""
    union_ids = [*member.union.ancestor_ids, member.union_id]
    lotteries = list(Lottery.objects.filter(status=LotteryStatus.DRAWN, union_id__in=union_ids)
                     .select_related("union").defer("pool_ids").order_by("-drawn_at")[:limit])
    wins = {w.lottery_id: w for w in Winner.objects.filter(member=member, lottery__in=lotteries)
            .select_related("prize")}
    return [{"lottery": lot, "win": wins.get(lot.pk)} for lot in lotteries]


# --- Reconciliation (对账) --------------------------------------------------------------------------------


def redeemed_between(qs: QuerySet[Coupon], start: date | None, end: date | None) -> QuerySet[Coupon]:
    qs = qs.filter(status=CouponStatus.REDEEMED)
    if start:
        qs = qs.filter(redeemed_at__date__gte=start)
    if end:
        qs = qs.filter(redeemed_at__date__lte=end)
    return qs


def reconciliation(qs: QuerySet[Coupon]) -> list[dict[str, Any]]:
    """对账: redeemed coupons of ``qs`` per (partner, campaign): count, bills, discounts (分)."""
    rows = (qs.filter(status=CouponStatus.REDEEMED)
            .values("redeemed_partner__uuid", "redeemed_partner__name", "campaign__uuid", "campaign__name",
                    "campaign__union__name")
            .annotate(count=Count("id"), bill=Sum("bill_cents"), discount=Sum("discount_cents"))
            .order_by("redeemed_partner__name", "campaign__name"))
    return [{
        "partner_uuid": r["redeemed_partner__uuid"], "partner": r["redeemed_partner__name"],
        "campaign_uuid": r["campaign__uuid"], "campaign": r["campaign__name"], "union": r["campaign__union__name"],
        "count": r["count"], "bill_cents": r["bill"] or 0, "discount_cents": r["discount"] or 0,
    } for r in rows]


def reconciliation_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {"count": sum(r["count"] for r in rows), "bill_cents": sum(r["bill_cents"] for r in rows),
            "discount_cents": sum(r["discount_cents"] for r in rows)}


DETAIL_HEADER = ["核销时间", "券码", "活动", "发放工会", "核销商户", "会员（脱敏）", "会员所在工会", "消费金额（元）",
                 "优惠金额（元）"]


SUMMARY_HEADER = ["核销商户", "活动", "发放工会", "核销张数", "消费金额（元）", "优惠金额（元）"]


def detail_rows(qs: QuerySet[Coupon]) -> Iterator[list[Any]]:
    for c in (qs.filter(status=CouponStatus.REDEEMED)
              .select_related("campaign__union", "redeemed_partner", "member__union")
              .order_by("redeemed_at", "id").iterator(chunk_size=2000)):
        yield [timezone.localtime(c.redeemed_at).strftime("%Y-%m-%d %H:%M:%S"), c.code, c.campaign.name,
               c.campaign.union.name, c.redeemed_partner.name, mask_name(c.member.name), c.member.union.name,
               float(yuan(c.bill_cents)) if c.bill_cents is not None else "", float(yuan(c.discount_cents or 0))]


def summary_rows(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for r in rows:
        yield [r["partner"], r["campaign"], r["union"], r["count"], float(yuan(r["bill_cents"])),
               float(yuan(r["discount_cents"]))]


def partner_today(partner: Partner) -> QuerySet[Coupon]:
    """What the partner redeemed today (the counter's list; reversible ones among them)."""
    return (Coupon.objects.filter(redeemed_partner=partner, status=CouponStatus.REDEEMED,
                                  redeemed_at__date=timezone.localdate())
            .select_related("campaign__union", "member").order_by("-redeemed_at"))


# --- 惠及人次 ----------------------------------------------------------------------------------------------


def coupons_in_scope(user: Any) -> QuerySet[Coupon]:
    """Coupons held by members of the caller's branches (DATA roles)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Coupon.objects.all()
    if not scope.paths(DATA_ROLES):
        return Coupon.objects.none()
    return Coupon.objects.filter(scope.q("member__union__path", DATA_ROLES))


def row_unions(user: Any, union: Union | None) -> list[Union]:
    if union is not None:
        return list(union.children.filter(is_active=True).order_by("name"))
    scope = scope_of(user)
    if scope.is_superuser:
        return list(Union.objects.filter(parent__isnull=True).order_by("name"))
    return list(Union.objects.filter(path__in=scope.paths(DATA_ROLES)).order_by("path"))


def people_served(user: Any, union: Union | None = None) -> dict[str, Any]:
    """Per row union: coupons issued, redeemed (惠及人次), distinct members served, discount given (分).

    Preconditions: ``union`` (if given) came through a gate for ``user``.
    """
    base = coupons_in_scope(user)
    if union is not None:
        base = base.filter(member__union__path__startswith=union.path)
    rows = row_unions(user, union)
    redeemed = Q(status=CouponStatus.REDEEMED)
    aggregates: dict[str, Any] = {
        "issued": Count("id"), "redeemed": Count("id", filter=redeemed),
        "people": Count("member", distinct=True, filter=redeemed), "cents": Sum("discount_cents", filter=redeemed),
    }
    for i, row in enumerate(rows):
        inside = Q(member__union__path__startswith=row.path)
        aggregates[f"i{i}"] = Count("id", filter=inside)
        aggregates[f"r{i}"] = Count("id", filter=inside & redeemed)
        aggregates[f"p{i}"] = Count("member", distinct=True, filter=inside & redeemed)
        aggregates[f"c{i}"] = Sum("discount_cents", filter=inside & redeemed)
    found = base.aggregate(**aggregates)
    table = [{"union": row, "issued": found[f"i{i}"], "redeemed": found[f"r{i}"], "people": found[f"p{i}"],
              "cents": found[f"c{i}"] or 0} for i, row in enumerate(rows)]
    own = None
    if union is not None:
        direct = base.filter(member__union=union).aggregate(
            issued=Count("id"), redeemed=Count("id", filter=redeemed),
            people=Count("member", distinct=True, filter=redeemed), cents=Sum("discount_cents", filter=redeemed))
        if direct["issued"]:
            own = {**direct, "cents": direct["cents"] or 0}
    return {"rows": table, "own": own,
            "total": {"issued": found["issued"], "redeemed": found["redeemed"], "people": found["people"],
                      "cents": found["cents"] or 0}}
