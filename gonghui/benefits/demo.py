"""Demo data of 普惠服务 that goes through the services, on what the demo already holds (the Qinghai
union tree, its staff and members, and the fifty partner merchants the generator signs around
Xining and Haidong, ``gonghui.seed.benefits.sign_demo``): the campaigns a union runs in a year —
免申即享 for gig workers, model workers and workers in hardship, 抢券 for culture and fitness, a
draft being composed, one already over — and a drawn lottery with its announcement.

Campaigns, issuance and the lottery go through the services, so their audit rows, frozen rules,
issue runs and notifications are the real ones; the redemptions over the past weeks are the
generator's (``seed.benefits.redeem_issued``: each one the transition helper's guarded move). The
named rider (13900000011) gets the 清凉券 and keeps it unused, for the tour; a partner login
redeems at the tour's pharmacy in 城中区 (``TOUR_PHARMACY``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.errors import DomainError
from gonghui.core.fields import lookup_index
from gonghui.core.scope import Role
from gonghui.members.models import HardshipLevel, Member, ModelWorkerLevel
from gonghui.unions.models import Union

from .models import (
    Campaign,
    CampaignStatus,
    Coupon,
    CouponStatus,
    IssueTrigger,
    Lottery,
    LotteryStatus,
    Partner,
    PartnerCategory,
    PartnerStaff,
)
from .services import campaigns, lotteries

# The partner login of the demo (a pharmacy cashier). Its number sits among the named demo logins
# (139 0000 0xxx) far from the ones other modules use; password: the published worker password.
MERCHANT_PHONE = "13900000331"
MERCHANT_NAME = "周店长"
CITY = "西宁市总工会"  # whose campaigns the demo shows most of
PARTNERS = 48  # the partners the generator signs for the demo (seed.benefits.sign_demo)
WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"

# The tour's pharmacy (the first partner the generator signs, in 城中区 near the rider, signed by the city)
# and what the merchant login redeems at.
TOUR_PHARMACY = {"name": "康乐大药房（南大街店）", "address": "城中区南大街88号",
                 "discount": "凭会员卡购药9折，工会券可直接抵扣"}


def _union(name: str) -> Union | None:
    return Union.objects.filter(name=name).first()


def _staff(union: Union | None) -> User | None:
    """A writing staff member of ``union`` (the one who signs and launches for it in the demo)."""
    if union is None:
        return None
    row = (StaffAssignment.objects.filter(union=union, role__in=[Role.ADMIN, Role.OFFICER]).select_related("user")
           .order_by("role", "id").first())
    return row.user if row else None


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 20), rng.randint(0, 59), rng.randint(0, 59))))


def _merchant(partner: Partner) -> User:
    user = User.objects.by_phone(MERCHANT_PHONE).first()
    if user is None:
        from gonghui.accounts.demo import WORKER_PASSWORD

        user = User(name=MERCHANT_NAME, phone=MERCHANT_PHONE, password=make_password(WORKER_PASSWORD))
        user.save()
    PartnerStaff.objects.get_or_create(user=user, defaults={"partner": partner})
    return user


def _pick(partners: list[Partner], *categories: str, near: Union | None = None) -> list[Partner]:
    chosen = [p for p in partners if p.category in categories]
    if near is not None:
        chosen = [p for p in chosen if p.union_id == near.pk or p.union.path.startswith(near.path)
                  or p.union_id in near.ancestor_ids]
    return chosen


def _campaign(actor: User | None, union: Union, partners: list[Partner], **data: Any) -> Campaign:
    return campaigns.campaign_create(actor=actor, union=union, partners=partners, **data)


def _launch(actor: User | None, campaign: Campaign) -> Campaign:
    campaigns.campaign_launch(actor=actor, campaign=campaign)
    campaigns.campaign_issue(campaign=campaign, trigger=IssueTrigger.LAUNCH, actor=actor)
    return Campaign.objects.select_related("union", "rule_version").get(pk=campaign.pk)


def _claims(rng: random.Random, campaign: Campaign, members: list[Member], count: int) -> int:
    done = 0
    for member in rng.sample(members, min(count, len(members))):
        try:
            campaigns.coupon_claim(actor=member.user, campaign=campaign, member=member)
            done += 1
        except DomainError:  # not eligible or sold out: the demo takes whoever gets one
            pass
    return done


@dataclass
class Showcase:
    """The campaigns made through the services, and what the generator is to redeem of them."""

    merchant: User
    claimed: int
    staff: User | None
    city: Union
    east: Union | None
    spring: Campaign
    keep: set[int]  # the named workers' members: their coupons stay unused, for the tour
    redemptions: list[tuple[Campaign, float, date, date]] = field(default_factory=list)  # share, first, last day


def campaigns_made(rng: random.Random, *, province: Union, city: Union, partners: list[Partner]) -> Showcase:
    """The partner login and the campaigns through the services (issued, claimed), dated back to
    when they started, with the ``partners`` the generator signed (``seed.benefits.sign_demo``) for
    ``city`` (西宁). Preconditions: the unions, accounts and members demo were built (any member
    count, even none)."""
    xining = city
    today = timezone.localdate()
    merchant = _merchant(partners[0])
    city_staff, province_staff = _staff(xining), _staff(province)
    east = _union("城东区总工会")
    named = set(Member.objects.filter(user__phone_index__in=[lookup_index(User, "phone_index", p)
                                                             for p in (WORKER_PHONE, RIDER_PHONE)])
                .values_list("pk", flat=True))
    period = {"starts_on": today - timedelta(days=20), "ends_on": today + timedelta(days=40)}

    cool = _launch(city_staff, _campaign(
        city_staff, xining, [partners[0], *_pick(partners, PartnerCategory.CATERING, PartnerCategory.DAILY,
                                                 near=xining)[:14]],
        name="夏送清凉·新就业形态劳动者清凉券", kind="auto", coupon_type="amount", face_cents=2000,
        budget_count=20_000, budget_cents=40_000_000, rule={"employment_form": "gig"},
        description="西宁市总工会“夏送清凉”活动：全市新就业形态劳动者会员免申即享20元清凉券，可在合作药房、超市和餐饮门店抵扣。",
        **period))
    model = _launch(province_staff, _campaign(
        province_staff, province, _pick(partners, PartnerCategory.MEDICAL),
        name="劳模工匠健康体检券", kind="auto", coupon_type="amount", face_cents=20_000, budget_count=2000,
        budget_cents=40_000_000, rule={"model_worker_levels": list(ModelWorkerLevel.values)},
        description="省总工会关爱劳模工匠，年度健康体检补贴200元。", starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=120)))
    warm = _launch(city_staff, _campaign(
        city_staff, xining, _pick(partners, PartnerCategory.DAILY, PartnerCategory.GENERAL, near=xining),
        name="困难职工暖心消费券", kind="auto", coupon_type="amount", face_cents=10_000, budget_count=3000,
        budget_cents=30_000_000, rule={"hardship_levels": list(HardshipLevel.values)},
        description="面向建档困难职工，免申请直接发放，可在合作超市、百货购买生活用品。", **period))
    everyone = list(Member.objects.current().filter(union__path__startswith=xining.path).select_related("union")
                    .exclude(pk__in=named).order_by("pk")[:5000])
    books = _launch(city_staff, _campaign(
        city_staff, xining, _pick(partners, PartnerCategory.EDUCATION, PartnerCategory.LEISURE, near=xining),
        name="职工书香文化消费券", kind="claim", coupon_type="discount", pay_percent=85, max_discount_cents=3000,
        budget_count=800, budget_cents=2_400_000, per_member_limit=2,
        description="读书、观影、培训消费享8.5折，每张最高优惠30元，每人限领2张，先到先得。", **period))
    claimed = _claims(rng, books, everyone, 120)
    gym = None
    if east is not None:
        east_staff = _staff(east) or city_staff
        gym = _launch(east_staff, _campaign(
            east_staff, east, _pick(partners, PartnerCategory.LEISURE, near=east) or _pick(
                partners, PartnerCategory.LEISURE), name="城东区职工健身券", kind="claim", coupon_type="amount",
            face_cents=5000, min_spend_cents=10_000, budget_count=60, budget_cents=300_000,
            description="满100元减50元，限城东区会员，每人1张。", **period))
        claimed += _claims(rng, gym, [m for m in everyone if m.union.path.startswith(east.path)], 40)
    _campaign(city_staff, xining, _pick(partners, PartnerCategory.MEDICAL, near=xining),
              name="三八节女职工健康体检券", kind="claim", coupon_type="amount", face_cents=15_000,
              budget_count=1000, budget_cents=15_000_000, starts_on=today + timedelta(days=10),
              ends_on=today + timedelta(days=70), rule={"women_only": True, "age_min": 30, "age_max": 55},
              description="草稿：女职工年度两癌筛查和健康体检补贴。")
    spring = _launch(city_staff, _campaign(
        city_staff, xining, _pick(partners, PartnerCategory.DAILY, PartnerCategory.GENERAL, near=xining),
        name="春节送温暖消费券", kind="auto", coupon_type="amount", face_cents=5000, budget_count=3000,
        budget_cents=15_000_000, rule={"hardship_levels": [HardshipLevel.SERIOUS, HardshipLevel.EXTREME]},
        description="春节前向深度困难和特殊困难职工发放。", starts_on=today, ends_on=today + timedelta(days=1)))

    for campaign in (cool, model, warm, books, gym):
        if campaign is not None:  # launched today by the services: dated back to its first day
            _backdate(rng, campaign, campaign.starts_on)
    # the spring campaign ran in the winter: move it back (it is ended after its redemptions)
    spring_start = today - timedelta(days=120)
    Campaign.objects.filter(pk=spring.pk).update(starts_on=spring_start, ends_on=spring_start + timedelta(days=30))
    _backdate(rng, spring, spring_start)
    spring.refresh_from_db()
    show = Showcase(merchant=merchant, claimed=claimed, staff=city_staff, city=xining, east=east, spring=spring,
                    keep=named)
    show.redemptions = [(cool, 0.35, period["starts_on"], today), (model, 0.4, today - timedelta(days=60), today),
                        (warm, 0.5, period["starts_on"], today), (books, 0.6, period["starts_on"], today)]
    if gym is not None:
        show.redemptions.append((gym, 0.5, period["starts_on"], today))
    show.redemptions.append((spring, 0.8, spring_start, spring_start + timedelta(days=30)))
    return show


def _backdate(rng: random.Random, campaign: Campaign, day: date) -> None:
    launched = _at(day, rng)
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=launched)
    Coupon.objects.filter(campaign=campaign).update(created_at=launched)
    campaign.issue_runs.update(started_at=launched, finished_at=launched + timedelta(seconds=5))


def finish(rng: random.Random, show: Showcase) -> list[str]:
    """After the redemptions: the spring campaign ended, the lotteries, the summary lines."""
    today = timezone.localdate()
    spring, city_staff, xining, east = show.spring, show.staff, show.city, show.east
    campaigns.campaign_close(actor=None, campaign=spring, automatic=True)
    Campaign.objects.filter(pk=spring.pk).update(ended_at=_at(spring.ends_on + timedelta(days=1), rng))

    drawn = lotteries.lottery_create(
        actor=city_staff, union=xining, name="职工运动会幸运抽奖", rule={},
        description="西宁市第十届职工运动会闭幕式现场抽奖，全市在册会员均可参与。",
        prizes=[("一等奖 · 疗休养名额", 1), ("二等奖 · 运动手环", 5), ("三等奖 · 工会文创礼包", 20)])
    lotteries.lottery_draw(actor=city_staff, lottery=drawn)
    Lottery.objects.filter(pk=drawn.pk).update(drawn_at=_at(today - timedelta(days=3), rng))
    if east is not None:
        lotteries.lottery_create(actor=_staff(east) or city_staff, union=east, name="五一劳动节快递小哥抽奖",
                                 rule={"gig_occupations": ["courier", "food_delivery"]},
                                 prizes=[("一等奖", 1), ("二等奖", 3)], description="未开奖：五一前在驿站现场开奖。")
    return summary_lines(merchant=show.merchant, claimed=show.claimed)


def summary_lines(*, merchant: User | None = None, claimed: int | None = None) -> list[str]:
    by_category = defaultdict(int)
    for category in Partner.objects.values_list("category", flat=True):
        by_category[PartnerCategory(category).label] += 1
    kinds = Campaign.objects.aggregate(auto=Count("id", filter=Q(kind="auto")),
                                       claim=Count("id", filter=Q(kind="claim")),
                                       active=Count("id", filter=Q(status=CampaignStatus.ACTIVE)))
    coupons = Coupon.objects.aggregate(total=Count("id"), redeemed=Count("id", filter=Q(status=CouponStatus.REDEEMED)),
                                       people=Count("member", distinct=True, filter=Q(status=CouponStatus.REDEEMED)),
                                       cents=Sum("discount_cents"))
    lines = [
        f"  普惠服务：合作伙伴 {sum(by_category.values())} 家（"
        + "、".join(f"{label}{n}" for label, n in sorted(by_category.items(), key=lambda kv: -kv[1])) + "），"
        f"券活动 {kinds['auto'] + kinds['claim']} 个（免申即享 {kinds['auto']}、抢券 {kinds['claim']}，"
        f"进行中 {kinds['active']}）",
        f"  发放券 {coupons['total']} 张（其中会员领取 {claimed if claimed is not None else '—'} 张），"
        f"已核销 {coupons['redeemed']} 张，惠及 {coupons['people']} 人，优惠 {(coupons['cents'] or 0) / 100:.0f} 元；"
        f"抽奖 {Lottery.objects.count()} 个（已开奖 {Lottery.objects.filter(status=LotteryStatus.DRAWN).count()}）",
    ]
    if merchant is not None:
        role = PartnerStaff.objects.select_related("partner").filter(user=merchant).first()
        where = f"（{role.partner.name}）" if role else ""
        lines.append(f"  商户核销演示账号：{MERCHANT_PHONE}，密码同职工演示账号{where}")
    return lines
