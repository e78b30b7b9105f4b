"""普惠服务: partners, coupon campaigns of several levels, their coupons and redemptions, as the
campaign and redemption services leave them.

Partners (药房, 超市, 餐馆, 健身房 …) sign with the province, the cities and the districts. Campaigns
belong to unions of every level down to the streets, each with a frozen rule (RuleVersion) and the
partners it accepts (signed by the union, an ancestor or a descendant). 免申即享 campaigns hand a
coupon to every member the rule selects, in key order, up to the budget — at launch, and later to
members registered since, the next night (one IssueRun per run, as the periodic job leaves them);
when members are left over, the budget is used up. 抢券 coupons are claimed while the campaign is
open, at most ``per_member_limit`` per member (numbered 1…limit). Campaigns past their end date
were ended by the periodic job. A share of the coupons was redeemed at an accepted partner serving
that day, with the bill and the discount ``quote`` gives; each redemption has its CouponEvent.

Counters are what the services keep: issued count and amount (count × the coupon's unit) within
the budget, redeemed count and discount total. Coupon codes and UUIDs are random (the code is a
bearer secret), everything else follows the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum

from gonghui.benefits import demo as benefits_demo
from gonghui.benefits.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Coupon,
    CouponEvent,
    CouponEventKind,
    CouponStatus,
    CouponType,
    CouponVia,
    IssueRun,
    IssueTrigger,
    Partner,
    PartnerCategory,
    PartnerStaff,
    PartnerStatus,
    RuleVersion,
)
from gonghui.benefits.rules import parse_rule, rule_summary
from gonghui.benefits.services.redemption import quote
from gonghui.core.transitions import transition_many
from gonghui.members.models import EmploymentForm, HardshipLevel, ModelWorkerLevel
from gonghui.unions.models import Union, UnionLevel

from .base import Clock, Progress, SeedError, Weighted, Writer, apportion, insert, pareto_weights, stream, with_ids
from .pool import CURRENT, GIG, HARDSHIP, MODEL, WOMAN, MemberPool
from .tree import ROADS, Node, Tree

# --- The demo's partners -------------------------------------------------------------------------------------

# (district union name, centre latitude, centre longitude, roads) — WGS-84, roughly each district's centre.
PLACES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("城东区总工会", 36.6170, 101.8030, ("八一中路", "东关大街", "建国路", "互助中路")),
    ("城中区总工会", 36.6215, 101.7840, ("南大街", "西大街", "长江路", "南川东路")),
    ("城西区总工会", 36.6280, 101.7620, ("五四大街", "胜利路", "黄河路", "海晏路")),
    ("城北区总工会", 36.6500, 101.7660, ("柴达木路", "祁连路", "朝阳东路", "小桥大街")),
    ("湟中区总工会", 36.5000, 101.5710, ("金塔路", "迎宾路", "康川路")),
    ("乐都区总工会", 36.4820, 102.4010, ("古城大街", "朝阳路", "碾伯路")),
    ("平安区总工会", 36.5000, 102.1080, ("平安大道", "湟中路", "古驿大道")),
)
BRANDS = ("康乐", "惠民", "福泰", "安康", "鑫源", "雪莲", "高原", "夏都", "湟水", "昆仑", "青稞", "祥和", "众合",
          "佳禾")
# category → ((shop word, what members get there), …), weight
KINDS: dict[str, tuple[tuple[tuple[str, str], ...], int]] = {
    PartnerCategory.MEDICAL: ((("大药房", "凭会员卡购药9折"), ("口腔门诊", "凭会员卡洁牙8折"),
                               ("职工体检中心", "会员体检套餐立减100元"), ("中医理疗馆", "会员理疗首次免费、之后8.5折"),
                               ("眼镜店", "会员配镜7.5折")), 4),
    PartnerCategory.DAILY: ((("便民超市", "会员购物满100减10"), ("洗衣店", "会员洗衣8折"),
                             ("家电维修部", "会员上门维修免上门费"), ("理发店", "会员理发8折"),
                             ("生鲜超市", "会员生鲜9.5折")), 4),
    PartnerCategory.CATERING: ((("牛肉面馆", "会员就餐9折"), ("清真餐厅", "会员就餐9折"), ("酸奶坊", "会员饮品8折"),
                                ("快餐店", "会员套餐立减5元"), ("骑手爱心餐厅", "骑手凭会员卡免费加面、饮水充电")), 3),
    PartnerCategory.EDUCATION: ((("职工书屋", "会员借阅免押金、饮品8折"), ("艺术培训中心", "会员子女培训课程8折"),
                                 ("驾驶培训学校", "会员学车立减300元"),
                                 ("职业技能培训学校", "会员技能培训补贴50%")), 2),
    PartnerCategory.LEISURE: ((("健身中心", "会员健身月卡半价"), ("游泳馆", "会员游泳单次票7折"),
                               ("影城", "会员观影每张立减10元"), ("羽毛球馆", "会员订场8折")), 2),
    PartnerCategory.GENERAL: ((("百货商场", "会员消费满200减20"), ("工会服务驿站", "会员免费休息、饮水、充电")), 1),
}

COUPONS_PER_CAMPAIGN = 1000
CHUNK = 20_000
EVERYONE = ("金秋消费券", "两节慰问券", "职工健康体检券", "书香阅读券", "健身运动券", "暖心餐饮券", "生活超市券")
# (rule, what a member must be to match it, the campaign names that go with it), for 免申即享 and for 抢券.
GIG_RULE = ({"employment_form": EmploymentForm.GIG}, CURRENT | GIG, ("新就业形态关爱券", "夏送清凉券", "骑手暖心券"))
WOMEN_RULE = ({"women_only": True}, CURRENT | WOMAN, ("女职工关爱券", "三八节专享券"))
AUTO_RULES = (({}, CURRENT, EVERYONE), GIG_RULE, WOMEN_RULE,
              ({"hardship_levels": list(HardshipLevel.values)}, CURRENT | HARDSHIP, ("困难职工帮扶券", "送温暖券")),
              ({"model_worker_levels": list(ModelWorkerLevel.values)}, CURRENT | MODEL, ("劳模工匠关爱券",)))
CLAIM_RULES = (({}, CURRENT, EVERYONE), ({}, CURRENT, EVERYONE), ({}, CURRENT, EVERYONE), GIG_RULE, WOMEN_RULE)
LEVELS = {UnionLevel.PROVINCE: 4.0, UnionLevel.CITY: 2.0, UnionLevel.DISTRICT: 1.0, UnionLevel.STREET: 0.3}


@dataclass
class _Campaign:
    node: Node
    row: dict[str, Any]
    need: int
    cap: int = 0
    quota: int = 0
    eligible: list[int] = field(default_factory=list)  # pool indexes, in key order
    partners: list[int] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    coupons: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def unit(self) -> int:
        row = self.row
        return row["face_cents"] if row["coupon_type"] == CouponType.AMOUNT else row["max_discount_cents"]


class _Benefits:
    def __init__(self, tree: Tree, pool: MemberPool, *, seed: int, clock: Clock) -> None:
        self.tree, self.pool, self.clock = tree, pool, clock
        self.rng = stream(seed, "benefits")
        self.by_pk = tree.by_pk
        signers = [n for n in tree.nodes if n.level in LEVELS and n.level <= UnionLevel.DISTRICT] or [tree.nodes[0]]
        self.signers = Weighted(signers, [LEVELS.get(n.level, 1.0) for n in signers])
        owners = [n for n in tree.nodes if n.level in LEVELS and pool.size(n, 0)] or [tree.nodes[0]]
        self.owners = Weighted(owners, [LEVELS.get(n.level, 1.0) for n in owners])
        self.partners: list[dict[str, Any]] = []
        self.lists: dict[tuple[int, int], list[int]] = {}

    # --- Partners ---------------------------------------------------------------------------------------------

    def sign_partners(self, count: int) -> None:
        """Partners (the first signed by the root, so that every campaign can name one)."""
        rng, clock = self.rng, self.clock
        kinds = Weighted.of({category: weight for category, (_, weight) in KINDS.items()})
        for n in range(count):
            signer = self.tree.nodes[0] if n == 0 else self.signers.pick(rng)
            category = kinds.pick(rng)
            word, discount = rng.choice(KINDS[category][0])
            start = clock.first - timedelta(days=rng.randint(0, 365))
            lapsed = rng.random() < 0.08 and n
            end = (clock.today - timedelta(days=rng.randint(1, 120)) if lapsed
                   else clock.today + timedelta(days=rng.randint(30, 730)))
            self.partners.append({
                "union_id": signer.pk, "name": f"{rng.choice(BRANDS)}{word}（{rng.choice(ROADS)}店）",
                "category": category, "address": f"{signer.name.removesuffix('总工会')}{rng.choice(ROADS)}"
                                                 f"{rng.randint(1, 300)}号",
                "latitude": round(36.6 + rng.uniform(-0.3, 0.3), 6),
                "longitude": round(101.8 + rng.uniform(-0.4, 0.4), 6),
                "discount": discount, "hotline": f"0971-{rng.randint(5_000_000, 8_999_999)}", "description": "",
                "contract_start": start, "contract_end": max(end, start),
                "status": PartnerStatus.SUSPENDED if n and rng.random() < 0.04 else PartnerStatus.ACTIVE,
                "created_by_id": None, "created_at": clock.midnight(max(start, clock.first)) + timedelta(hours=10),
            })
        with_ids(Partner, self.partners)
        insert(Partner, self.partners)

    def accepted(self, node: Node) -> list[int]:
        """1–5 partners a campaign of ``node`` may name: signed by it, an ancestor or a descendant."""
        chain, current = set(), node
        while current is not None:
            chain.add(current.pk)
            current = self.by_pk.get(current.parent) if current.parent else None
        fits = [p for p in self.partners
                if p["union_id"] in chain or self.by_pk[p["union_id"]].path.startswith(node.path)]
        return sorted(p["id"] for p in self.rng.sample(fits, min(len(fits), self.rng.randint(1, 5))))

    # --- Campaigns -------------------------------------------------------------------------------------------

    def plan(self, coupons: int) -> list[_Campaign]:
        """Campaigns enough to hold ``coupons`` (each within what its members can hold), with quotas."""
        rng = self.rng
        made = [self.campaign(self.owners.pick(rng)) for _ in range(max(1, round(coupons / COUPONS_PER_CAMPAIGN)))]
        while sum(c.cap for c in made) < coupons:  # not enough members for that many: more at the top
            extra = self.campaign(self.tree.nodes[0], claim=True)
            if not extra.cap:
                raise SeedError("会员太少，生成不了这么多普惠券：请增加 --members 或减少 --coupons")
            made.append(extra)
        weights = pareto_weights(rng, len(made), alpha=1.3, cap=20)
        for campaign, quota in zip(made, apportion(coupons, weights, [c.cap for c in made]), strict=True):
            campaign.quota = quota
        return made

    def fitting(self, node: Node, need: int) -> list[int]:
        key = (node.pk, need)
        if key not in self.lists:
            self.lists[key] = self.pool.fitting(node, need)
        return self.lists[key]

    def campaign(self, node: Node, *, claim: bool = False) -> _Campaign:
        rng, clock = self.rng, self.clock
        kind = CampaignKind.CLAIM if claim or rng.random() < 0.6 else CampaignKind.AUTO
        rule, need, themes = rng.choice(CLAIM_RULES if kind == CampaignKind.CLAIM else AUTO_RULES)
        if not self.fitting(node, need):
            rule, need, themes = {}, CURRENT, EVERYONE
        limit = 1 if kind == CampaignKind.AUTO else (3 if claim else rng.choice((1, 1, 1, 2, 3)))
        starts = clock.moment(rng).date()
        ends = starts + timedelta(days=rng.choice((30, 45, 60, 90)))
        ended = ends < clock.today
        amount = rng.random() < 0.75
        face = rng.choice((500, 1000, 2000, 3000, 5000))
        row = {
            "union_id": node.pk, "name": f"{node.name.removesuffix('总工会')}{rng.choice(themes)}"[:60],
            "description": "工会普惠活动：会员在合作商户消费时抵扣，每张券使用一次。", "kind": kind,
            "coupon_type": CouponType.AMOUNT if amount else CouponType.DISCOUNT,
            "face_cents": face if amount else None, "pay_percent": None if amount else rng.choice((80, 85, 88, 90, 95)),
            "max_discount_cents": None if amount else face, "min_spend_cents": rng.choice((0, 0, face * 2, face * 5)),
            "per_member_limit": limit, "starts_on": starts, "ends_on": ends, "rule": parse_rule(rule).as_json(),
            "status": CampaignStatus.ENDED if ended else CampaignStatus.ACTIVE,
            "launched_at": clock.midnight(starts) + timedelta(hours=9), "launched_by_id": None,
            "ended_at": clock.midnight(ends + timedelta(days=1)) + timedelta(hours=1) if ended else None,
            "created_by_id": None, "created_at": clock.midnight(starts) - timedelta(days=rng.randint(1, 10)),
            "issued_count": 0, "issued_cents": 0, "redeemed_count": 0, "redeemed_cents": 0,
        }
        campaign = _Campaign(node, row, need)
        # Members registered the day before the last day a coupon could be handed out.
        last = min(ends, clock.today - timedelta(days=1)).toordinal()
        campaign.eligible = [i for i in self.fitting(node, need) if self.pool.since[i] < last]
        campaign.cap = len(campaign.eligible) * limit
        return campaign

    # --- Coupons -----------------------------------------------------------------------------------------------

    def issue(self, c: _Campaign) -> None:
        """The campaign's coupons, their redemptions and its counters."""
        (self.auto if c.row["kind"] == CampaignKind.AUTO else self.claims)(c)
        row, issued = c.row, len(c.coupons)
        row["issued_count"], row["issued_cents"] = issued, issued * c.unit
        if "budget_count" not in row:  # room left: the claims' stock, or an auto budget nobody else can use
            row["budget_count"] = issued + self.rng.randint(0, max(1, issued // 3))
        row["budget_cents"] = row["budget_count"] * c.unit
        self.redeem(c)

    def auto(self, c: _Campaign) -> None:
        """免申即享: at launch to those already registered, in key order, up to the budget; the nights
        after, to members registered since."""
        pool, row = self.pool, c.row
        launch = row["starts_on"].toordinal()
        first = [i for i in c.eligible if pool.since[i] < launch]
        later = sorted((i for i in c.eligible if pool.since[i] >= launch), key=lambda i: (pool.since[i], pool.pk[i]))
        served = first[:c.quota]
        later = later[:c.quota - len(served)]
        if len(served) + len(later) < len(c.eligible):
            row["budget_count"] = c.quota  # used up: the other eligible members are left without one
        self.run(c, IssueTrigger.LAUNCH, row["launched_at"], served, left=len(first) - len(served))
        by_day: dict[int, list[int]] = {}
        for i in later:
            by_day.setdefault(pool.since[i] + 1, []).append(i)
        for day, members in by_day.items():
            self.run(c, IssueTrigger.PERIODIC, self.clock.midnight(date.fromordinal(day)) + timedelta(hours=2),
                     members, left=0)

    def run(self, c: _Campaign, trigger: str, at: datetime, members: list[int], *, left: int) -> None:
        if members:
            run = {"trigger": trigger, "actor_id": None, "issued": len(members), "eligible_left": left,
                   "started_at": at, "finished_at": at + timedelta(seconds=5)}
            c.runs.append(run)
            c.coupons += [self.coupon(i, 1, CouponVia.AUTO, at, run) for i in members]

    def claims(self, c: _Campaign) -> None:
        """抢券: members claim while the campaign is open (a rush at the start), some up to the limit."""
        rng, clock, row = self.rng, self.clock, c.row
        limit = row["per_member_limit"]
        fewest = -(-c.quota // limit)
        count = min(len(c.eligible), max(fewest, round(c.quota / rng.uniform(1.0, 1.0 + 0.2 * (limit - 1)))))
        chosen = rng.sample(c.eligible, count)
        held = [1] * count
        for _ in range(c.quota - count):  # the rest as second and third coupons
            n = rng.randrange(count)
            while held[n] >= limit:
                n = (n + 1) % count
            held[n] += 1
        closes = min(clock.midnight(row["ends_on"] + timedelta(days=1)), clock.now)
        for i, times in zip(chosen, held, strict=True):
            at = max(row["launched_at"], clock.midnight(date.fromordinal(self.pool.since[i] + 1)))
            for seq in range(1, times + 1):
                at = (at + (closes - at) * rng.random() ** 3).replace(microsecond=0)
                c.coupons.append(self.coupon(i, seq, CouponVia.CLAIM, at, None))

    def coupon(self, i: int, seq: int, via: str, at: datetime, run: dict[str, Any] | None) -> dict[str, Any]:
        return {"member_id": self.pool.pk[i], "seq": seq, "status": CouponStatus.ISSUED, "via": via, "run": run,
                "created_at": at, "redeemed_at": None, "redeemed_partner_id": None, "redeemed_by_id": None,
                "bill_cents": None, "discount_cents": None}

    def redeem(self, c: _Campaign) -> None:
        """A share of the coupons redeemed at an accepted partner serving that day, as ``quote`` prices them."""
        rng, clock, row = self.rng, self.clock, c.row
        share = 0.6 if row["status"] == CampaignStatus.ENDED else 0.35
        priced = Campaign(**{k: row[k] for k in ("coupon_type", "face_cents", "pay_percent", "max_discount_cents",
                                                 "min_spend_cents")})
        partners = [p for p in self.partners if p["id"] in c.partners and p["status"] == PartnerStatus.ACTIVE]
        end = min(clock.midnight(row["ends_on"] + timedelta(days=1)), clock.now)
        for coupon in c.coupons:
            if rng.random() >= share or coupon["created_at"] >= end:
                continue
            drawn = redemption(rng, clock, priced, partners, coupon["created_at"], end)
            if drawn is None:
                continue
            at, partner, bill, discount = drawn
            coupon |= {"status": CouponStatus.REDEEMED, "redeemed_at": at, "redeemed_partner_id": partner,
                       "bill_cents": bill, "discount_cents": discount}
            c.events.append((coupon, {"kind": CouponEventKind.REDEEM, "partner_id": partner, "actor_id": None,
                                      "bill_cents": bill, "discount_cents": discount, "reason": "",
                                      "created_at": at}))
            row["redeemed_count"] += 1
            row["redeemed_cents"] += discount

    # --- Writing -------------------------------------------------------------------------------------------------

    def write(self, campaigns: list[_Campaign], summaries: dict[int, str]) -> int:
        """The campaigns with their frozen rules, partners, issue runs, coupons and redemptions."""
        rows = [c.row for c in campaigns]
        versions = [{"number": 1, "rule": c.row["rule"], "created_by_id": None, "created_at": c.row["launched_at"],
                     "summary": summaries[id(c)]} for c in campaigns]
        with_ids(Campaign, rows)
        with_ids(RuleVersion, versions)
        for c, version in zip(campaigns, versions, strict=True):
            version["campaign_id"] = c.row["id"]
            c.row["rule_version_id"] = version["id"]
            for item in (*c.runs, *c.coupons):
                item["campaign_id"], item["rule_version_id"] = c.row["id"], version["id"]
        insert(Campaign, rows)
        insert(RuleVersion, versions)
        insert(Campaign.partners.through, [{"campaign_id": c.row["id"], "partner_id": p}
                                           for c in campaigns for p in c.partners])
        runs = [r for c in campaigns for r in c.runs]
        with_ids(IssueRun, runs)
        insert(IssueRun, runs)
        coupons = [k for c in campaigns for k in c.coupons]
        for coupon in coupons:
            coupon["issue_run_id"] = coupon["run"]["id"] if coupon["run"] else None
        with_ids(Coupon, coupons)
        insert(Coupon, coupons)
        insert(CouponEvent, [{**e, "coupon_id": k["id"]} for c in campaigns for k, e in c.events])
        return len(coupons)


def build_coupons(tree: Tree, pool: MemberPool, *, coupons: int, seed: int, clock: Clock,
                  progress: Progress | None = None) -> dict[str, int]:
    """``coupons`` coupons with the partners and campaigns they need, ``CHUNK`` coupons per
    transaction (a campaign and its coupons always in the same one)."""
    benefits = _Benefits(tree, pool, seed=seed, clock=clock)
    with transaction.atomic():
        benefits.sign_partners(max(3, round(coupons / 4000)))
    campaigns = benefits.plan(coupons)
    versions = _versions(campaigns)
    group: list[_Campaign] = []
    with Writer(progress, workers=2) as writer:
        for campaign in campaigns:
            campaign.partners = benefits.accepted(campaign.node)
            benefits.issue(campaign)
            group.append(campaign)
            if sum(len(c.coupons) for c in group) >= CHUNK or campaign is campaigns[-1]:
                writer.submit(partial(benefits.write, group, versions))
                group = []
    return {"partners": len(benefits.partners), "campaigns": len(campaigns), "coupons": writer.done}


def _versions(campaigns: list[_Campaign]) -> dict[int, str]:
    """The frozen rules' summaries (in words), per campaign, read before the writing starts."""
    unions = Union.objects.in_bulk({c.node.pk for c in campaigns})
    return {id(c): rule_summary(c.row["rule"], union=unions[c.node.pk]) for c in campaigns}


def redemption(rng: Any, clock: Clock, campaign: Campaign, partners: Sequence[dict[str, Any]], issued: datetime,
               end: datetime) -> tuple[datetime, int, int, int] | None:
    """One coupon's 核销: (when, at which partner, the bill, the discount as ``quote`` prices it), at an
    accepted partner serving that day between ``issued`` and ``end``; None when none serves then."""
    at = clock.between(rng, issued, end)
    serving = [p for p in partners if p["contract_start"] <= at.date() <= p["contract_end"]]
    if not serving:
        return None
    bill = max(campaign.min_spend_cents, (campaign.face_cents or 0) + 100, rng.randint(20, 400) * 100)
    return at, rng.choice(serving)["id"], bill, quote(campaign, bill)


def redeem_issued(campaign: Campaign, *, share: float, start: datetime, end: datetime, keep: set[int], seed: int,
                  clock: Clock) -> int:
    """``share`` of a campaign's issued coupons (those of ``keep`` members aside) redeemed between
    ``start`` and ``end`` — coupons that exist (issued by the services: the demo's) — drawn as the
    generator draws its own, each moved by the transition helper (issued → redeemed, guarded) with
    its history row and the cashier of the partner; then the campaign's counters. Returns the count."""
    rng = stream(seed, "benefits", "redeem", campaign.pk)
    accepted = list(campaign.partners.values("id", "contract_start", "contract_end"))
    cashiers = dict(PartnerStaff.objects.filter(partner_id__in=[p["id"] for p in accepted])
                    .values_list("partner_id", "user_id"))
    coupons = [c for c in Coupon.objects.filter(campaign=campaign, status=CouponStatus.ISSUED).order_by("pk")
               if c.member_id not in keep]
    events: list[CouponEvent] = []
    for coupon in rng.sample(coupons, int(len(coupons) * share)):
        drawn = redemption(rng, clock, campaign, accepted, max(coupon.created_at, start), end)
        if drawn is None:
            continue
        at, partner, bill, discount = drawn
        cashier = cashiers.get(partner)
        transition_many(Coupon.objects.filter(pk=coupon.pk), to=CouponStatus.REDEEMED, from_=CouponStatus.ISSUED,
                        changes={"redeemed_partner_id": partner, "redeemed_by_id": cashier, "bill_cents": bill,
                                 "discount_cents": discount, "redeemed_at": at})
        events.append(CouponEvent(coupon=coupon, kind=CouponEventKind.REDEEM, partner_id=partner, actor_id=cashier,
                                  bill_cents=bill, discount_cents=discount, created_at=at))
    CouponEvent.objects.bulk_create(events, batch_size=500)
    totals = Coupon.objects.filter(campaign=campaign, status=CouponStatus.REDEEMED).aggregate(
        n=Count("id"), cents=Sum("discount_cents"))
    Campaign.objects.filter(pk=campaign.pk).update(redeemed_count=totals["n"], redeemed_cents=totals["cents"] or 0)
    return len(events)


def sign_demo(rng: random.Random, city: Union, today: date) -> list[Partner]:
    """The demo's partners around Xining and Haidong (``benefits.demo.PARTNERS`` of them), signed by
    ``city`` (西宁) or the district they are in; the first is the tour's pharmacy
    (``benefits.demo.TOUR_PHARMACY``). Each partner's ``union`` is loaded."""
    rows: list[Partner] = []
    kinds = list(KINDS)
    weights = [KINDS[k][1] for k in kinds]
    used: set[str] = set()
    for i in range(benefits_demo.PARTNERS):
        district_name, lat, lng, roads = PLACES[i % len(PLACES)] if i < 14 else rng.choice(PLACES)
        district = Union.objects.filter(name=district_name).first()
        category = PartnerCategory.MEDICAL if i == 0 else rng.choices(kinds, weights=weights)[0]
        word, discount = rng.choice(KINDS[category][0])
        road = rng.choice(roads)
        name = f"{rng.choice(BRANDS)}{word}（{road}店）"
        while name in used:
            name = f"{rng.choice(BRANDS)}{word}（{road}{rng.randint(2, 9)}号店）"
        used.add(name)
        signer = district if district is not None and rng.random() < 0.35 else city
        if not district_name.startswith("城") and district_name != "湟中区总工会":
            signer = district or city  # Haidong's partners are signed in Haidong
        start = today - timedelta(days=rng.randint(30, 500))
        rows.append(Partner(
            union=signer, name=name, category=category, address=f"{district_name[:-3]}{road}{rng.randint(1, 300)}号",
            latitude=round(lat + rng.uniform(-0.025, 0.025), 6), longitude=round(lng + rng.uniform(-0.03, 0.03), 6),
            discount=discount, hotline=f"0971-{rng.randint(5_000_000, 8_999_999)}",
            contract_start=start, contract_end=start + timedelta(days=rng.choice((730, 1095))),
        ))
    if rows:  # the tour's pharmacy is in 城中区, near the rider, signed by the city
        lat, lng = PLACES[1][1], PLACES[1][2]
        rows[0].name, rows[0].address = benefits_demo.TOUR_PHARMACY["name"], benefits_demo.TOUR_PHARMACY["address"]
        rows[0].union, rows[0].latitude, rows[0].longitude = city, lat + 0.002, lng + 0.001
        rows[0].discount = benefits_demo.TOUR_PHARMACY["discount"]
        rows[0].contract_start, rows[0].contract_end = today - timedelta(days=200), today + timedelta(days=530)
    partners = Partner.objects.bulk_create(rows)
    unions = Union.objects.in_bulk({p.union_id for p in partners})
    for partner in partners:
        partner.union = unions[partner.union_id]
    return partners
