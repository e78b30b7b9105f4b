"""云集市: providers, offerings, batches and orders through 下单 → 配货 → 发货 → 签收 → 评价, as the
order services leave them.

Offerings belong to the province, the cities and the districts (by weight), over the demo's
catalogue of titles; a few are drafts (no batches) or withdrawn (all batches over). Each offering
runs its batches one after another from its listing day, each open up to about six weeks; a listed
offering's last batch is open now. Orders are apportioned to offerings unevenly (popular ones get
many) and walked through the lifecycle from their placement: each step a few hours or days after
the one before, stopping where "now" cuts it off, so that every status carries exactly the
timestamps its transitions set (配货: server and time; 发货: delivered_at; 签收: confirmed_at,
automatically seven days after 发货 when the member did not; 评价: a review). Orders older than two
weeks are mostly served; the last two weeks' mostly waiting or in progress.

The counters are what the transitions keep: ``Batch.taken`` counts the orders holding a place
(every order not cancelled — a no-show keeps its place, as ``order_mark_no_show`` does), the
capacity is at least that; an offering's ``served_count`` counts the confirmed and reviewed orders,
its rating the reviews. A member holds at most one order per batch. ``Order.union`` is the
offering's union, ``member_union`` the member's. Each order has its history (OrderEvent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from gonghui.market.models import (
    HOLDING_STATUSES,
    SERVED_STATUSES,
    Audience,
    Batch,
    BatchStatus,
    CancelledBy,
    Mode,
    Offering,
    OfferingStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Provider,
    ProviderKind,
    Review,
    Slot,
    TitleLevel,
)
from gonghui.unions.models import UnionLevel

from .base import Clock, Progress, Weighted, Writer, apportion, insert, pareto_weights, stream, with_ids
from .catalogue import CANCEL_REASONS, KIND_DOMAINS, OFFERINGS, RATINGS, REVIEWS, SPECIALTIES
from .people import name as person_name
from .pool import CURRENT, GIG, WOMAN, MemberPool
from .trades import BRAND_WORDS
from .tree import Node, Tree

ORDERS_PER_OFFERING = 150
CHUNK = 20_000  # orders per transaction (with their offerings, batches, history and reviews)
AUTO_CONFIRM = timedelta(days=7)
KINDS = Weighted.of({ProviderKind.MODEL_WORKER: 25, ProviderKind.CRAFTSMAN: 20, ProviderKind.HOSPITAL: 15,
                     ProviderKind.LAW_FIRM: 12, ProviderKind.SCHOOL: 13, ProviderKind.COMPANY: 15})
ORGANIZATIONS = {
    ProviderKind.HOSPITAL: ("人民医院", "中医院", "妇幼保健院", "第一人民医院", "职工医院", "口腔医院"),
    ProviderKind.SCHOOL: ("职业技术学院", "技师学院", "职工学校", "职业技术学校", "开放大学分校"),
    ProviderKind.COMPANY: ("人力资源服务有限公司", "科技有限公司", "集团有限公司", "实业有限公司"),
}
ORG_SPECIALTIES = {
    ProviderKind.HOSPITAL: ("职工健康体检、慢病管理", "职业病筛查、健康讲座", "女职工“两癌”筛查", "中医理疗、康复"),
    ProviderKind.LAW_FIRM: ("劳动争议、工伤认定", "劳动合同、社保权益", "新就业形态劳动者权益", "农民工工资清欠"),
    ProviderKind.SCHOOL: ("电工焊工培训", "学历提升、技能等级认定", "家政、养老护理培训", "数字技能培训"),
    ProviderKind.COMPANY: ("岗位推荐、就业指导", "技术攻关、工厂参观", "直播电商、数字技能", "安全生产培训"),
}
TITLES = {ProviderKind.MODEL_WORKER: (TitleLevel.NATIONAL_MODEL, TitleLevel.PROVINCIAL_MODEL, TitleLevel.CITY_MODEL),
          ProviderKind.CRAFTSMAN: (TitleLevel.NATIONAL_CRAFTSMAN, TitleLevel.PROVINCIAL_CRAFTSMAN,
                                   TitleLevel.CITY_CRAFTSMAN)}
ONLINE_PLACES = ("线上（腾讯会议）", "线上（电话咨询）", "掌上工会直播间")
SERVERS = ("张老师", "李医生", "王律师", "刘老师", "马主任", "陈师傅")
NOTES = ("", "", "", "希望安排在周末", "第一次参加，想多了解一些", "工作日晚上有时间")
# Where an order ends up: placed more than two weeks ago, or lately.
RECENT = timedelta(days=14)
BATCH_DAYS = 45
FINAL = {True: Weighted.of({OrderStatus.REVIEWED: 45, OrderStatus.CONFIRMED: 27, OrderStatus.CANCELLED: 15,
                            OrderStatus.NO_SHOW: 8, OrderStatus.DELIVERED: 5}),
         False: Weighted.of({OrderStatus.PLACED: 35, OrderStatus.ASSIGNED: 25, OrderStatus.DELIVERED: 15,
                             OrderStatus.CONFIRMED: 8, OrderStatus.REVIEWED: 4, OrderStatus.CANCELLED: 13})}
A, D, C, R = OrderStatus.ASSIGNED, OrderStatus.DELIVERED, OrderStatus.CONFIRMED, OrderStatus.REVIEWED
PATHS = {OrderStatus.PLACED: (), A: (A,), D: (A, D), C: (A, D, C), R: (A, D, C, R), OrderStatus.NO_SHOW: (A, "no_show"),
         OrderStatus.CANCELLED: ("cancelled",)}
NEEDS = {Audience.ALL: CURRENT, Audience.GIG: CURRENT | GIG, Audience.WOMEN: CURRENT | WOMAN}


@dataclass(slots=True)
class _Provider:
    pk: int
    owner: Node | None  # None: a provider the generator did not make (the demo's)
    kind: str
    name: str


@dataclass
class _Offer:
    provider: _Provider
    domain: str
    template: tuple[str, str, str, str]
    status: str
    created: datetime
    listed: datetime | None = None
    ends: datetime | None = None  # withdrawn: when
    orders: int = 0


@dataclass
class _Rows:
    """One transaction's rows; events and reviews point at their order's row (keys come later)."""

    offerings: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[dict[str, Any], str, str, str, datetime]] = field(default_factory=list)
    reviews: list[tuple[dict[str, Any], int, str, datetime]] = field(default_factory=list)

    def write(self) -> int:
        """Insert everything (keys drawn first, so that the children point at their parents)."""
        with_ids(Offering, self.offerings)
        insert(Offering, self.offerings)
        for batch in self.batches:
            batch["offering_id"] = batch["offering"]["id"]
        with_ids(Batch, self.batches)
        insert(Batch, self.batches)
        for order in self.orders:
            order["offering_id"], order["batch_id"] = order["batch"]["offering_id"], order["batch"]["id"]
        return self.write_orders()

    def write_orders(self) -> int:
        """The orders (``offering_id`` and ``batch_id`` set) with their history and reviews."""
        with_ids(Order, self.orders)
        insert(Order, self.orders)
        insert(OrderEvent, [{"order_id": o["id"], "from_status": before, "to_status": after, "actor_id": None,
                             "note": note, "created_at": at} for o, before, after, note, at in self.events])
        insert(Review, [{"order_id": o["id"], "offering_id": o["offering_id"], "rating": rating, "text": text,
                         "created_at": at} for o, rating, text, at in self.reviews])
        return len(self.orders)


class _Walker:
    """Takes orders along the order transitions (配货 → 发货 → 签收 → 评价, 取消, 未到场), each step a few
    hours or days after the one before, as far as "now" lets it get: the one order lifecycle of the
    generator and the demo."""

    def __init__(self, rng: Any, clock: Clock) -> None:
        self.rng, self.clock = rng, clock
        self.ratings = Weighted.of(RATINGS)

    def walk(self, provider: _Provider, order: dict[str, Any], final: str, out: _Rows, *, reach: bool = False) -> None:
        """Take ``order`` along the transitions towards ``final``, as far as "now" lets it get (with
        ``reach``, all the way: the steps squeezed in before "now", as a showcase order needs)."""
        rng, clock = self.rng, self.clock
        at, status = order["placed_at"], OrderStatus.PLACED
        out.events.append((order, "", status, "", at))
        steps = PATHS[final]
        if final == OrderStatus.CANCELLED and rng.random() < 0.3:
            steps = (A, "cancelled")  # the provider or staff call it off after 配货
        for step in steps:
            moment, note, changes = self.step(provider, order, status, step, at)
            if moment >= clock.now:
                if not reach:
                    break
                moment = clock.between(rng, at, clock.now)
            review = changes.pop("review", None)
            if review is not None:
                out.reviews.append((order, *review, moment))
                order["offering"]["rating_count"] += 1
                order["offering"]["rating_sum"] += review[0]
            order.update(changes)
            out.events.append((order, status, step, note, moment))
            at, status = moment, step
        if status == D and not reach and order["delivered_at"] + AUTO_CONFIRM < clock.now:  # the periodic job's 签收
            at = order["delivered_at"] + AUTO_CONFIRM
            order["confirmed_at"], order["auto_confirmed"] = at, True
            out.events.append((order, D, C, "超过7天未确认，系统自动确认完成", at))
            status = C
        order["status"], order["updated_at"] = status, at

    def step(self, provider: _Provider, order: dict[str, Any], status: str, step: str,
             at: datetime) -> tuple[datetime, str, dict[str, Any]]:
        """When ``step`` happens after ``at``, its history note, and what it writes on the order."""
        rng, clock = self.rng, self.clock
        if step == A:
            moment = clock.after(rng, at, 2, 48)
            server = provider.name if provider.kind in TITLES else rng.choice(SERVERS)
            # a time slot booked with the order keeps its time, and so does a batch's service window
            drawn = clock.after(rng, moment, 24, 24 * 7)  # drawn either way: the stream stays as it was
            serves = order.get("serves_from")
            scheduled = order["scheduled_at"] or (serves if serves is not None and serves > moment else drawn)
            return moment, f"服务人员：{server}", {"server_name": server, "scheduled_at": scheduled}
        if step == D:
            moment = clock.after(rng, order["scheduled_at"], 1, 3)
            return moment, "", {"delivered_at": moment, "delivery_note": "已按约定完成服务"}
        if step == C:
            moment = clock.after(rng, at, 1, 24 * 6)
            return moment, "", {"confirmed_at": moment}
        if step == R:
            rating = self.ratings.pick(rng)
            text = rng.choice(REVIEWS) if rating >= 3 else "等候时间较长，希望改进"
            return clock.after(rng, at, 0.5, 72), f"{rating}星", {"review": (rating, text)}
        if step == "no_show":
            return clock.after(rng, order["scheduled_at"], 2, 24), "未在约定时间到场", {}
        by = CancelledBy.MEMBER if status == OrderStatus.PLACED and rng.random() < 0.7 else CancelledBy.PROVIDER
        reason = rng.choice(CANCEL_REASONS)
        return clock.after(rng, at, 1, 72), reason, {"cancelled_by": by, "cancel_reason": reason}



class _Market:
    def __init__(self, tree: Tree, pool: MemberPool, *, seed: int, clock: Clock) -> None:
        self.pool, self.clock = pool, clock
        self.rng = stream(seed, "market")
        self.eligible: dict[tuple[int, int], int] = {}
        levels = {UnionLevel.PROVINCE: 8.0, UnionLevel.CITY: 3.0, UnionLevel.DISTRICT: 1.0}
        owners = [n for n in tree.nodes if n.level in levels and pool.size(n, 0)] or [tree.nodes[0]]
        self.owners = Weighted(owners, [levels.get(n.level, 1.0) for n in owners])
        self.statuses = Weighted.of({OfferingStatus.LISTED: 85, OfferingStatus.WITHDRAWN: 8, OfferingStatus.DRAFT: 7})
        self.walker = _Walker(self.rng, clock)

    def size(self, owner: Node, need: int) -> int:
        key = (owner.pk, need)
        if key not in self.eligible:
            self.eligible[key] = self.pool.size(owner, need)
        return self.eligible[key]

    # --- Providers and offerings ---------------------------------------------------------------------------------

    def providers(self, count: int) -> list[_Provider]:
        """Model workers and craftsmen, and partner hospitals, law firms, schools and companies."""
        rng, made, rows = self.rng, [], []
        for _ in range(count):
            owner, kind = self.owners.pick(rng), KINDS.pick(rng)
            if kind in TITLES:
                name, title = person_name(rng, male=rng.random() < 0.75), rng.choice(TITLES[kind])
                specialty = rng.choice(SPECIALTIES)
                bio = f"{TitleLevel(title).label}，从事{specialty.split('、')[0]}工作二十余年，愿把手艺传给更多职工。"
            else:
                title, specialty = "", rng.choice(ORG_SPECIALTIES[kind])
                name = (f"{rng.choice(BRAND_WORDS)}律师事务所" if kind == ProviderKind.LAW_FIRM
                        else f"{owner.place}{rng.choice(ORGANIZATIONS[kind])}")
                bio = f"{name}是工会服务合作机构，长期为职工提供{specialty}等公益服务。"
            rows.append({"union_id": owner.pk, "kind": kind, "name": name, "title_level": title,
                         "specialty": specialty, "bio": bio, "photo": None, "user_id": None, "is_active": True,
                         "created_at": self.clock.start + timedelta(seconds=rng.randrange(60 * 86400))})
            made.append(_Provider(0, owner, kind, name))
        for provider, pk in zip(made, with_ids(Provider, rows), strict=True):
            provider.pk = pk
        insert(Provider, rows)
        return made

    def offers(self, providers: list[_Provider], count: int, orders: int) -> list[_Offer]:
        """The offerings (some drafts, some withdrawn) and how many orders each gets."""
        rng, clock = self.rng, self.clock
        busy = Weighted(providers, pareto_weights(rng, len(providers), alpha=1.4, cap=15))
        offers = []
        for n in range(count):
            provider = busy.pick(rng)
            domain = rng.choice(KIND_DOMAINS[provider.kind])
            status = self.statuses.pick(rng) if n else OfferingStatus.LISTED
            offer = _Offer(provider, domain, rng.choice(OFFERINGS[domain]), status,
                           created=clock.now - timedelta(seconds=rng.randrange(86400, 30 * 86400)))
            if status != OfferingStatus.DRAFT:
                offer.listed = clock.moment(rng)
                offer.created = offer.listed - timedelta(seconds=rng.randrange(86400, 10 * 86400))
            if status == OfferingStatus.WITHDRAWN:
                offer.ends = clock.between(rng, offer.listed + (clock.now - offer.listed) / 2, clock.now)
            offers.append(offer)
        serving = [o for o in offers if o.listed is not None]
        for offer, share in zip(serving, apportion(orders, pareto_weights(rng, len(serving), alpha=1.2, cap=50)),
                                strict=True):
            offer.orders = share
        return offers

    def offering_row(self, offer: _Offer) -> dict[str, Any]:
        title, summary, mode, audience = offer.template
        owner = offer.provider.owner
        if offer.orders and self.size(owner, NEEDS.get(audience, CURRENT)) == 0:
            audience = Audience.ALL  # nobody of that audience in the subtree: open it to every member
        if mode == Mode.ONLINE:
            place = self.rng.choice(ONLINE_PLACES)
        elif offer.provider.kind in TITLES:
            place = f"{owner.name.removesuffix('总工会')}职工服务中心"
        else:
            place = offer.provider.name
        return {
            "union_id": owner.pk, "provider_id": offer.provider.pk, "title": title, "domain": offer.domain,
            "mode": mode, "place": place, "summary": summary, "audience": audience, "audience_union_id": None,
            "description": f"{summary}。\n服务方：{offer.provider.name}。\n本服务由工会组织，面向会员免费提供。",
            "status": offer.status, "listed_at": offer.listed, "rating_count": 0, "rating_sum": 0,
            "served_count": 0, "created_by_id": None, "created_at": offer.created,
            "updated_at": offer.ends or offer.listed or offer.created,
        }

    # --- Batches and orders ------------------------------------------------------------------------------------------

    def add(self, offer: _Offer, out: _Rows) -> None:
        """The offering with its batches, orders, history and reviews, counters included.

        Its batches follow one another over its whole life, each open up to about six weeks; a listed
        offering's last batch is open now (上新), a withdrawn one's all closed before it was withdrawn.
        """
        row = self.offering_row(offer)
        out.offerings.append(row)
        if not offer.orders:
            return
        rng, clock = self.rng, self.clock
        need = NEEDS.get(row["audience"], CURRENT)
        per = max(1, min(rng.randint(20, 150), self.size(offer.provider.owner, need)))
        end = offer.ends or clock.now
        count = max(math.ceil(offer.orders / per), math.ceil((end - offer.listed).days / BATCH_DAYS))
        span = (end - offer.listed) / count
        for n, share in enumerate(apportion(offer.orders, [1.0] * count)):
            opens = (offer.listed + span * n).replace(microsecond=0)
            closes = opens + span if n < count - 1 or offer.ends else clock.now + timedelta(days=rng.uniform(5, 30))
            batch = {"offering": row, "name": f"第{n + 1}批", "opens_at": opens,
                     "closes_at": max(closes.replace(microsecond=0), opens + timedelta(hours=1)),
                     "status": BatchStatus.CLOSED if closes <= clock.now else BatchStatus.OPEN,
                     "created_by_id": None, "created_at": opens}
            # served while booking is open and a couple of days after, 09:00–17:00 (the orders' own times,
            # drawn by the walker, fall inside)
            day = timezone.localtime(opens + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
            batch["serves_from"] = day
            batch["serves_until"] = timezone.localtime(batch["closes_at"] + timedelta(days=9)).replace(
                hour=17, minute=0, second=0, microsecond=0)
            out.batches.append(batch)
            self.orders(offer, row, batch, share, need, out)

    def orders(self, offer: _Offer, row: dict[str, Any], batch: dict[str, Any], count: int, need: int,
               out: _Rows) -> None:
        """``count`` orders of distinct members in ``batch``; where each ends up depends on its age."""
        rng, pool, clock = self.rng, self.pool, self.clock
        owner = offer.provider.owner
        end = min(batch["closes_at"], clock.now)
        held = 0
        for i in pool.sample(rng, owner, count, need):
            placed = clock.between(rng, batch["opens_at"], end)
            order = {"offering": row, "batch": batch, "slot_id": None, "union_id": owner.pk,
                     "member_id": pool.pk[i], "member_union_id": pool.union[i], "status": OrderStatus.PLACED,
                     "note": rng.choice(NOTES), "server_name": "", "scheduled_at": None, "delivered_at": None,
                     "delivery_note": "", "evidence": "", "evidence_name": "", "confirmed_at": None,
                     "auto_confirmed": False, "cancel_reason": "", "cancelled_by": "", "reorder_of_id": None,
                     "placed_at": placed, "updated_at": placed}
            out.orders.append(order)
            self.walker.walk(offer.provider, order, FINAL[clock.now - placed > RECENT].pick(rng), out)
            held += order["status"] != OrderStatus.CANCELLED
            row["served_count"] += order["status"] in (C, R)
        over = batch["status"] == BatchStatus.CLOSED
        spare = rng.randint(0, max(1, held // 5)) if over else rng.randint(max(1, held // 5), max(2, held))
        batch["taken"], batch["capacity"] = held, max(1, held + spare)

def build_market(tree: Tree, pool: MemberPool, *, orders: int, offerings: int | None, seed: int, clock: Clock,
                 progress: Progress | None = None) -> dict[str, int]:
    """``orders`` orders with the providers, offerings and batches they need (about one offering per
    150 orders unless ``offerings`` says), ``CHUNK`` orders per transaction."""
    market = _Market(tree, pool, seed=seed, clock=clock)
    count = offerings or max(1, round(orders / ORDERS_PER_OFFERING))
    with transaction.atomic():
        providers = market.providers(max(1, round(count / 4)))
    offers = market.offers(providers, count, orders)
    rows = _Rows()
    with Writer(progress, workers=2) as writer:
        for offer in offers:
            market.add(offer, rows)
            if len(rows.orders) >= CHUNK:
                writer.submit(rows.write)
                rows = _Rows()
        writer.submit(rows.write)
    return {"providers": len(providers), "offerings": len(offers), "orders": writer.done}


def write_orders(plans: list[dict[str, Any]], *, seed: int, clock: Clock) -> dict[str, int]:
    """Orders in batches that exist (a catalogue made elsewhere: the demo's), through the same
    lifecycle as the generator's own, with their history and reviews; then the counters the
    transitions keep (batch and slot ``taken``, an offering's people served and ratings), from the
    rows. Each plan: ``offering``, ``batch``, ``slot`` (or None) — rows that exist —, ``member_id``,
    ``member_union_id``, ``placed_at``, ``final``, ``note`` and optionally ``reach`` (get to ``final``
    whatever the time: a showcase order). Preconditions: in a transaction."""
    walker = _Walker(stream(seed, "market", "orders", Order.objects.count()), clock)
    out = _Rows()
    for plan in plans:
        offering, slot = plan["offering"], plan["slot"]
        provider = offering.provider
        order = {"offering": {"rating_count": 0, "rating_sum": 0}, "offering_id": offering.pk,
                 "batch_id": plan["batch"].pk, "slot_id": slot.pk if slot is not None else None,
                 "union_id": offering.union_id, "member_id": plan["member_id"],
                 "member_union_id": plan["member_union_id"], "status": OrderStatus.PLACED, "note": plan["note"],
                 "server_name": "", "scheduled_at": slot.starts_at if slot is not None else None,
                 "delivered_at": None, "delivery_note": "", "evidence": "", "evidence_name": "",
                 "confirmed_at": None, "auto_confirmed": False, "cancel_reason": "", "cancelled_by": "",
                 "reorder_of_id": None, "placed_at": plan["placed_at"], "updated_at": plan["placed_at"],
                 "serves_from": plan["batch"].serves_from}  # (not a column: read by the walker only)
        out.orders.append(order)
        walker.walk(_Provider(provider.pk, None, provider.kind, provider.name), order, plan["final"], out,
                    reach=plan.get("reach", False))
    out.write_orders()
    _count({p["offering"].pk for p in plans})
    return {"orders": len(out.orders), "events": len(out.events), "reviews": len(out.reviews)}


def _count(offerings: set[int]) -> None:
    """Batch and slot ``taken`` (orders holding a place), an offering's people served and ratings."""
    holding = Q(orders__status__in=list(HOLDING_STATUSES))
    for batch in Batch.objects.filter(offering_id__in=offerings).annotate(n=Count("orders", filter=holding)):
        if batch.taken != batch.n:
            Batch.objects.filter(pk=batch.pk).update(taken=batch.n, capacity=Greatest(F("capacity"), batch.n))
    for slot in Slot.objects.filter(batch__offering_id__in=offerings).annotate(n=Count("orders", filter=holding)):
        if slot.taken != slot.n:
            Slot.objects.filter(pk=slot.pk).update(taken=slot.n, capacity=Greatest(F("capacity"), slot.n))
    served = dict(Order.objects.filter(offering_id__in=offerings, status__in=list(SERVED_STATUSES))
                  .order_by().values("offering_id").annotate(n=Count("id")).values_list("offering_id", "n"))
    reviews = (Review.objects.filter(offering_id__in=offerings).order_by().values("offering_id")
               .annotate(n=Count("id"), total=Sum("rating")).values_list("offering_id", "n", "total"))
    rated = {pk: (n, total) for pk, n, total in reviews}
    for pk in offerings:
        n, total = rated.get(pk, (0, 0))
        Offering.objects.filter(pk=pk).update(served_count=served.get(pk, 0), rating_count=n, rating_sum=total or 0)
