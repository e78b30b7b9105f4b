"""Coupon campaigns: composing, launching and closing them, and handing out coupons the two ways —
抢券 (a member claims while stock lasts) and 免申即享 (every eligible member gets one, set-based).

The budget is one row: ``Campaign.issued_count`` / ``issued_cents``. Every issuance moves them with a
conditional UPDATE (``… WHERE issued_count + n <= budget_count AND issued_cents + n·unit <=
budget_cents``) in the transaction that inserts the coupons, and CheckConstraints back it up, so no
interleaving of claims and issuance runs can hand out more than the budget. A member's coupons are
numbered 1…limit and (campaign, member, seq) is unique, so the per-member limit holds the same way.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import Notification
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_date_range, clean_text
from gonghui.members.models import Member
from gonghui.unions.models import Union

from ..models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Coupon,
    CouponStatus,
    CouponType,
    CouponVia,
    IssueRun,
    IssueTrigger,
    Partner,
    RuleVersion,
)
from ..rules import check_rule, parse_rule, rule_queryset, rule_summary
from ..selectors import is_eligible

if TYPE_CHECKING:
    from gonghui.accounts.models import User

logger = logging.getLogger("gonghui.benefits")

MAX_FACE_CENTS = 1_000_000  # 10,000 元 per coupon
MAX_BUDGET_COUNT = 10_000_000
MAX_LIMIT = 20
REASON_MAX = 200


# --- Composing ---------------------------------------------------------------------------------------------


def _positive(value: Any, *, field: str, label: str, maximum: int, allow_zero: bool = False) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"请填写{label}", detail={field: f"请填写{label}"}) from None
    if number < (0 if allow_zero else 1) or number > maximum:
        raise ValidationFailed(f"{label}超出允许范围", detail={field: f"{label}超出允许范围"})
    return number


def _clean(data: dict[str, Any], *, union: Union) -> dict[str, Any]:
    name = clean_text(data.get("name"), field="name", label="活动名称", max_length=60, too_long="名称过长")
    kind = data.get("kind")
    if kind not in CampaignKind.values:
        raise ValidationFailed("请选择发放方式", detail={"kind": "请选择发放方式"})
    coupon_type = data.get("coupon_type") or CouponType.AMOUNT
    if coupon_type not in CouponType.values:
        raise ValidationFailed("请选择券种", detail={"coupon_type": "请选择券种"})
    clean: dict[str, Any] = {
        "name": name, "description": clean_text(data.get("description"), field="description", label="活动说明",
                                  max_length=2000, required=False, multiline=True), "kind": kind,
        "coupon_type": coupon_type, "face_cents": None, "pay_percent": None, "max_discount_cents": None,
        "min_spend_cents": _positive(data.get("min_spend_cents") or 0, field="min_spend_cents", label="使用门槛",
                                     maximum=MAX_FACE_CENTS * 10, allow_zero=True),
    }
    if coupon_type == CouponType.AMOUNT:
        clean["face_cents"] = _positive(data.get("face_cents"), field="face_cents", label="面额",
                                        maximum=MAX_FACE_CENTS)
        unit = clean["face_cents"]
    else:
        clean["pay_percent"] = _positive(data.get("pay_percent"), field="pay_percent", label="折扣", maximum=99)
        clean["max_discount_cents"] = _positive(data.get("max_discount_cents"), field="max_discount_cents",
                                                label="最高优惠", maximum=MAX_FACE_CENTS)
        unit = clean["max_discount_cents"]
    clean["budget_count"] = _positive(data.get("budget_count"), field="budget_count", label="预算张数",
                                      maximum=MAX_BUDGET_COUNT)
    clean["budget_cents"] = _positive(data.get("budget_cents"), field="budget_cents", label="预算金额",
                                      maximum=MAX_BUDGET_COUNT * MAX_FACE_CENTS)
    if clean["budget_cents"] < unit:
        raise ValidationFailed("预算金额不足一张券", detail={"budget_cents": "预算金额不足一张券"})
    limit = _positive(data.get("per_member_limit") or 1, field="per_member_limit", label="每人限领",
                      maximum=MAX_LIMIT)
    if kind == CampaignKind.AUTO and limit != 1:
        raise ValidationFailed("免申即享每人发放一张", detail={"per_member_limit": "免申即享每人发放一张"})
    clean["per_member_limit"] = limit
    clean["starts_on"], clean["ends_on"] = clean_date_range(data.get("starts_on"), data.get("ends_on"),
                                                            fields=("starts_on", "ends_on"), label="活动时间",
                                                            backwards="截止日期不能早于开始日期")
    clean["rule"] = check_rule(parse_rule(data.get("rule") or {}), union=union).as_json()
    return clean


def _partners(partners: list[Partner] | None, *, union: Union) -> list[Partner]:
    """Partners a campaign of ``union`` may name: signed by the union, an ancestor or a descendant."""
    chosen = list(dict.fromkeys(partners or []))
    related = {*union.ancestor_ids, union.pk}
    bad = [p.name for p in chosen if p.union_id not in related and not p.union.path.startswith(union.path)]
    if bad:
        raise ValidationFailed(f"「{bad[0]}」不是本工会、上级或下级工会签约的合作伙伴",
                               detail={"partners": "商户不在范围内"})
    return chosen


def campaign_create(*, actor: User, union: Union, partners: list[Partner] | None = None, **data: Any) -> Campaign:
    """Compose a campaign (a draft). Preconditions: ``union`` came through access_union_for_work and
    ``partners`` through access_partner."""
    clean = _clean(data, union=union)
    chosen = _partners(partners, union=union)
    with transaction.atomic():
        campaign = Campaign.objects.create(union=union, created_by=actor if getattr(actor, "pk", None) else None,
                                           **clean)
        campaign.partners.set(chosen)
        audit.record("campaign.create", actor=actor, obj=campaign,
                     detail={"kind": campaign.kind, "rule": campaign.rule})
    return campaign


def campaign_update(*, actor: User, campaign: Campaign, partners: list[Partner] | None = None, **data: Any) -> Campaign:
    """Change a draft (everything, the rule included). Launched campaigns are frozen."""
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("活动发布后不能再修改")
    clean = _clean(data, union=campaign.union)
    chosen = _partners(partners, union=campaign.union)
    with transaction.atomic():
        transition(campaign, from_=[CampaignStatus.DRAFT], changes=clean, stamp=None, message="活动发布后不能再修改",
                   history=lambda before: campaign.partners.set(chosen),
                   audit="campaign.update", actor=actor, detail={"rule": clean["rule"]})
    return campaign


def campaign_launch(*, actor: User, campaign: Campaign) -> Campaign:
    """发布: draft → active. The rule is frozen into a RuleVersion that every coupon will point to.

    For 免申即享 the issuance to everyone eligible is queued for after the commit (a Celery task;
    inline without a broker). Preconditions: gated with write=True.
    """
    today = timezone.localdate()
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("只有草稿状态的活动可以发布")
    if campaign.ends_on < today:
        raise ValidationFailed("活动截止日期已过，请先修改活动时间", detail={"ends_on": "截止日期已过"})
    if not campaign.partners.exists():
        raise ValidationFailed("请至少选择一家适用商户", detail={"partners": "请选择适用商户"})
    rule = check_rule(parse_rule(campaign.rule), union=campaign.union)
    now = timezone.now()
    with transaction.atomic():
        number = RuleVersion.objects.filter(campaign=campaign).count() + 1
        version = RuleVersion.objects.create(
            campaign=campaign, number=number, rule=rule.as_json(), summary=rule_summary(rule, union=campaign.union),
            created_by=actor if getattr(actor, "pk", None) else None)
        launcher = actor if getattr(actor, "pk", None) else None
        transition(campaign, to=CampaignStatus.ACTIVE, from_=[CampaignStatus.DRAFT], stamp=None,
                   changes={"rule_version": version, "launched_at": now, "launched_by": launcher},
                   message="该活动已发布", audit="campaign.launch", actor=actor,
                   detail={"rule": version.rule, "kind": campaign.kind},
                   event="benefits.campaign_launched", payload={"campaign_id": campaign.pk})
        if campaign.kind == CampaignKind.AUTO:
            # The job row is written with the launch (the outbox): if the broker is down the launch
            # still stands and the sweep hands the issuance to the worker later.
            from django.urls import reverse

            from gonghui.core.jobs import job_start

            campaign.issue_job = job_start(
                kind="benefits.campaign_issue", title=f"免申即享发放：{campaign.name}"[:120], owner=actor,
                union=campaign.union, subject=f"benefits.campaign:{campaign.uuid}",
                params={"campaign_id": campaign.pk, "trigger": IssueTrigger.LAUNCH},
                result_url=reverse("benefits:campaign_detail", args=[campaign.uuid]))
    return campaign


def campaign_close(*, actor: User, campaign: Campaign, reason: str = "",
                   automatic: bool = False) -> Campaign:
    """结束活动: active → ended. Unused coupons expire; redeemed ones stay in the reconciliation.

    Preconditions: gated with write=True (or ``automatic`` from the periodic job past the end date).
    """
    if campaign.status != CampaignStatus.ACTIVE:
        raise Conflict("只有进行中的活动可以结束")
    reason = " ".join((reason or "").split())[:REASON_MAX]
    now = timezone.now()
    transition(campaign, to=CampaignStatus.ENDED, from_=[CampaignStatus.ACTIVE], stamp=None, changes={"ended_at": now},
               message="该活动已结束", audit="campaign.close", actor=actor,
               detail={"reason": reason or ("到期自动结束" if automatic else ""), "automatic": automatic},
               event="benefits.campaign_closed", payload={"campaign_id": campaign.pk})
    return campaign


# --- 免申即享: set-based issuance -------------------------------------------------------------------------


def _sql(qs: QuerySet) -> tuple[str, tuple[Any, ...]]:
    return qs.query.sql_with_params()


def _random_columns() -> tuple[str, str, str]:
    """(inner column, uuid expression, code expression) for the database at hand.

    The inner column draws the randomness once per row; the outer select cuts it into a UUID and a
    16-hex-digit code. PostgreSQL: gen_random_uuid() (built in since 13, strong random) — 64 bits
    taken from its random positions (skipping the version and variant digits). SQLite: randomblob.
    """
    if connection.vendor == "postgresql":
        inner = "replace(gen_random_uuid()::text, '-', '') AS h, gen_random_uuid() AS u"
        return inner, "x.u", "upper(substr(x.h, 1, 12) || substr(x.h, 14, 3) || substr(x.h, 18, 1))"
    inner = "lower(hex(randomblob(16))) AS u, upper(hex(randomblob(8))) AS h"
    return inner, "x.u", "x.h"


def eligible_without_coupon(campaign: Campaign, *, on: date) -> QuerySet[Member]:
    """Members the campaign's frozen rule selects who don't hold one of its coupons yet."""
    held = Coupon.objects.filter(campaign_id=campaign.pk, member_id=OuterRef("pk"))
    return (rule_queryset(campaign.rule_version.rule, union=campaign.union, on=on)
            .filter(~Exists(held)))


def _notify_run(campaign: Campaign, run: IssueRun) -> int:
    """One inbox message per newly issued coupon whose holder has an account, in one INSERT … SELECT.

    ``notify()`` writes one row per call; for hundreds of thousands of coupons the same rows go in as
    one statement into the notification table (named from its model, not hard-coded).
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    coupons = connection.ops.quote_name(Coupon._meta.db_table)
    members = connection.ops.quote_name(Member._meta.db_table)
    uuid_expr = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    title = f"您获得一张「{campaign.name}」"[:120]
    body = (f"{campaign.face_label}，{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}有效。"
            f"免申即享：您符合发放条件（{campaign.rule_version.summary}），无需申请，已放入「我的券」。")
    # Driven from the members with an account (few), each joined to its coupon by (campaign, member).
    sql = (f"INSERT INTO {table} (uuid, recipient_id, title, body, url, created_at) "  # noqa: S608 - names from models
           f"SELECT {uuid_expr}, m.user_id, %s, %s, %s, %s FROM {members} m JOIN {coupons} c "
           f"ON c.member_id = m.id AND c.campaign_id = %s "
           f"WHERE m.user_id IS NOT NULL AND c.issue_run_id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [title, body, reverse("benefits:my_coupons"), timezone.now(), campaign.pk, run.pk])
        return cursor.rowcount


def _issue_once(campaign_id: int, *, trigger: str, actor: User, on: date) -> IssueRun | None:
    with transaction.atomic():
        # The row lock serializes issuance runs of one campaign (launch, periodic job, a manual run).
        campaign = (Campaign.objects.select_for_update(of=("self",)).select_related("union", "rule_version")
                    .filter(pk=campaign_id).first())
        if campaign is None or campaign.kind != CampaignKind.AUTO or not campaign.is_open_on(on):
            return None
        room = campaign.remaining_count
        if room <= 0:
            return None
        run = IssueRun.objects.create(campaign=campaign, rule_version=campaign.rule_version, trigger=trigger,
                                      actor=actor if getattr(actor, "pk", None) else None)
        now = timezone.now()
        ids_sql, ids_params = _sql(eligible_without_coupon(campaign, on=on).annotate(member_key=F("pk"))
                                   .order_by("pk").values("member_key")[:room])
        inner, uuid_expr, code_expr = _random_columns()
        table = connection.ops.quote_name(Coupon._meta.db_table)
        sql = (f"INSERT INTO {table} (uuid, code, campaign_id, member_id, seq, status, via, rule_version_id, "  # noqa: S608
               f"issue_run_id, created_at) "
               f"SELECT {uuid_expr}, {code_expr}, %s, x.id, 1, %s, %s, %s, %s, %s "
               f"FROM (SELECT e.member_key AS id, {inner} FROM ({ids_sql}) e) x")
        params = [campaign.pk, CouponStatus.ISSUED, CouponVia.AUTO, campaign.rule_version_id, run.pk, now]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *ids_params])  # the select list's values come first in the text
            issued = cursor.rowcount
        if issued <= 0:
            # nobody new: undo the run row (a rollback, so no DELETE has to look for its coupons)
            transaction.set_rollback(True)
            return None
        unit = campaign.unit_cents
        updated = (Campaign.objects.filter(pk=campaign.pk)
                   .alias(count_after=F("issued_count") + issued, cents_after=F("issued_cents") + issued * unit)
                   .filter(count_after__lte=F("budget_count"), cents_after__lte=F("budget_cents"))
                   .update(issued_count=F("issued_count") + issued, issued_cents=F("issued_cents") + issued * unit))
        if not updated:  # cannot happen under the row lock; the CheckConstraint would stop it anyway
            raise Conflict("预算不足，未能发放")
        left = eligible_without_coupon(campaign, on=on).count() if issued == room else 0
        run.issued, run.eligible_left, run.finished_at = issued, left, timezone.now()
        run.save(update_fields=["issued", "eligible_left", "finished_at"])
        notified = _notify_run(campaign, run)
        audit.record("campaign.issue", actor=actor, obj=campaign,
                     detail={"trigger": trigger, "issued": issued, "left_by_budget": left, "run": run.pk,
                             "notified": notified, "rule_version": campaign.rule_version.number})
        events.publish("benefits.coupons_issued", campaign_id=campaign.pk, run_id=run.pk, count=issued)
    return run


def campaign_issue(*, campaign: Campaign, trigger: str = IssueTrigger.MANUAL, actor: User | None = None,
                   on: date | None = None) -> IssueRun | None:
    """免申即享: give one coupon to every member the frozen rule selects who has none yet, in member
    order, up to the remaining budget — one INSERT … SELECT and one conditional UPDATE of the budget,
    in one transaction. Idempotent: a second run issues only to members who became eligible since.

    Returns the run, or None when nothing was issued (not an active 免申即享 campaign in its period,
    budget used up, nobody new). Preconditions: none beyond a launched campaign; callers that act
    for a user gate it first.
    """
    on = on or timezone.localdate()
    for attempt in range(3):
        try:
            return _issue_once(campaign.pk, trigger=trigger, actor=actor, on=on)
        except IntegrityError:
            # 64-bit random codes: a clash with an existing code is ~1e-8 per run; draw again.
            logger.warning("coupon code clash issuing campaign %s (attempt %s)", campaign.pk, attempt + 1)
    raise Conflict("发放失败，请稍后重试")


def issue_pending(*, on: date | None = None) -> int:
    """The periodic job: issue to newly eligible members of every open 免申即享 campaign, and end
    campaigns past their end date. Idempotent; returns the number of coupons issued."""
    on = on or timezone.localdate()
    total = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.ACTIVE, ends_on__lt=on).select_related("union"):
        try:
            campaign_close(actor=None, campaign=campaign, automatic=True)
        except Conflict:
            pass
    open_auto = Campaign.objects.filter(status=CampaignStatus.ACTIVE, kind=CampaignKind.AUTO, starts_on__lte=on,
                                        ends_on__gte=on).order_by("pk")
    for campaign in open_auto:
        run = campaign_issue(campaign=campaign, trigger=IssueTrigger.PERIODIC, on=on)
        total += run.issued if run else 0
    return total


# --- 抢券: claiming ------------------------------------------------------------------------------------------


def coupon_claim(*, actor: User, campaign: Campaign, member: Member) -> Coupon:
    """抢券: one coupon for ``member`` while the budget lasts and under the per-member limit.

    Preconditions: ``member`` is the caller's own membership. Raises Forbidden when the member does
    not satisfy the rule, Conflict when the campaign is not open, sold out (code "sold_out") or the
    member's limit is reached (code "limit_reached") — also when two claims race for the last one.
    """
    today = timezone.localdate()
    if campaign.kind != CampaignKind.CLAIM:
        raise Conflict("该券由工会直接发放给符合条件的会员，无需领取")
    if not campaign.is_open_on(today):
        raise Conflict("活动未开始或已结束")
    if not is_eligible(campaign, member, on=today):
        raise Forbidden(f"您不符合领取条件：{campaign.rule_version.summary}", code="not_eligible")
    held = Coupon.objects.filter(campaign=campaign, member=member).count()
    limit_message = f"每人限领{campaign.per_member_limit}张，您已领取"
    if held >= campaign.per_member_limit:
        raise Conflict(limit_message, code="limit_reached")
    unit = campaign.unit_cents
    try:
        with transaction.atomic():
            taken = (Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.ACTIVE)
                     .alias(count_after=F("issued_count") + 1, cents_after=F("issued_cents") + unit)
                     .filter(count_after__lte=F("budget_count"), cents_after__lte=F("budget_cents"))
                     .update(issued_count=F("issued_count") + 1, issued_cents=F("issued_cents") + unit))
            if not taken:
                raise Conflict("来晚了，券已被领完", code="sold_out")
            coupon = Coupon.objects.create(campaign=campaign, member=member, seq=held + 1, via=CouponVia.CLAIM,
                                           rule_version=campaign.rule_version)
            audit.record("coupon.claim", actor=actor, obj=coupon, union=campaign.union,
                         detail={"campaign": str(campaign.uuid), "seq": coupon.seq})
            events.publish("benefits.coupon_claimed", coupon_id=coupon.pk, campaign_id=campaign.pk,
                           member_id=member.pk)
    except IntegrityError:
        # the same member claiming twice at once: the unique (campaign, member, seq) let one through
        raise Conflict(limit_message, code="limit_reached") from None
    return coupon


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today, today + timedelta(days=30)
