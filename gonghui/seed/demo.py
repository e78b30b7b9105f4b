"""The demo's service modules on the generator: the bulk of each module's records is drawn and
written by the generator's set-based builders at demo sizes, over the demo province; each module's
own ``demo.py`` then adds what the generator does not make — the named logins' records, the showcase
records and the workflows that must go through the services — and its summary lines.

    build_demo (web/management/commands/demo.py)
        union tree, grids, employers            seed.qinghai.build_unions (the named employers: unions demo)
        accounts, field work                    accounts demo, unions demo (through the services)
        members                                 seed.province.build_members → members demo's workflows
        SERVICES, in order                      each a ``build(rng) -> list[str]``: the generator's rows
                                                (catalogue, tickets, partners, activity plans), then the
                                                module demo's named records and summary

The generator's randomness comes from its own streams (``base.stream``), seeded from the demo's
seeded ``rng``, so ``gonghui demo --seed N`` still gives the same data for the same N.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from gonghui.activities import demo as activities_demo
from gonghui.appeals import demo as appeals_demo
from gonghui.benefits import demo as benefits_demo
from gonghui.learning import demo as learning_demo
from gonghui.market.models import BatchStatus, OfferingStatus
from gonghui.surveys import demo as surveys_demo
from gonghui.unions.models import Union

from . import activities, appeals, benefits, catalogue, market, pictures
from .base import Clock, stream
from .pool import MemberPool
from .tree import Tree, load_tree

MARKET_DAYS = 120
ACTIVITY_DAYS = 400
BENEFITS_DAYS = 200
ACTIVITY_RATED = 0.6  # of the check-ins: a demo shows reviews
DEMO_GROWTH = 40.0  # the last day is this many times as busy as the first


def _province() -> tuple[Tree, MemberPool] | None:
    """The demo province as the generator sees it (its tree and its members), or None without one."""
    root = Union.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        return None
    tree = load_tree(root)
    return tree, MemberPool(tree)


def _clock(days: int) -> Clock:
    """The demo's history: ``days`` before today, most of it recent (a demo shows full queues), where
    the generator's default spreads two years of a platform being taken up."""
    return Clock(timezone.localdate(), days=days, growth=DEMO_GROWTH)


def stream_for(seed: int, build: Callable[[random.Random], list[str]]) -> random.Random:
    """The random stream of one service module's demo (by its builder's name) for the demo's seed."""
    return stream(seed, "demo", build.__name__)


def _seed(rng: random.Random) -> int:
    return rng.randrange(1 << 31)


def build_appeals(rng: random.Random, *, count: int = appeals_demo.DEFAULT_TICKETS) -> list[str]:
    """``count`` 12351 tickets over the last year (the generator's), then the appeals showcase."""
    found = _province()
    if found is not None and count:
        tree, pool = found
        appeals.build_tickets(tree, pool, tickets=count, seed=_seed(rng), clock=_clock(appeals_demo.DAYS_BACK))
    return appeals_demo.build(rng)


def build_market(rng: random.Random) -> list[str]:
    """The market's catalogue (``catalogue.py``: providers, offerings, batches, slots), orders in
    its batches — most of a closed batch's places taken, some of an open one's — walked through the
    generator's order lifecycle (``market.write_orders``), the named logins' orders among them, then
    follows, needs and the summary."""
    cat = catalogue.catalogue(rng)
    if cat is None:
        return ["云集市：没有工会组织，跳过"]
    clock = _clock(MARKET_DAYS)
    plans: list[dict] = []
    for offering in cat.offerings:
        if offering.status == OfferingStatus.DRAFT:
            continue
        members = catalogue.eligible(cat.people, offering)
        for batch in cat.batches_of(offering):
            first = batch.status == BatchStatus.CLOSED
            share = rng.uniform(0.75, 1.0) if first else rng.uniform(0.3, 0.7)
            slots = cat.slots.get(batch.pk, [])
            chosen = rng.sample(members, min(int(batch.capacity * share), len(members)))
            for i, person in enumerate(chosen):
                hours = rng.uniform(1, 24 * 15) if first else rng.uniform(0.5, 24 * 6)
                placed = batch.opens_at + timedelta(hours=hours)
                placed = min(placed, clock.now - timedelta(minutes=rng.randint(5, 600)))
                slot = slots[i % len(slots)] if slots else None
                plans.append(catalogue.plan(offering, batch, slot, person, placed,
                                            catalogue.final_status(rng, batch, slot, clock.now)))
    catalogue.named_orders(rng, cat, plans)
    for plan in plans:
        plan["placed_at"] = min(plan["placed_at"], clock.now - timedelta(minutes=5))
    market.write_orders(plans, seed=_seed(rng), clock=clock)
    return catalogue.finish(rng, cat)


def build_activities(rng: random.Random) -> list[str]:
    """The demo's activities (``activities.demo_plans``: templates, organisers, the named workers'
    showcase from ``activities/demo.py``) with their sign-ups replayed by the generator
    (``activities.replay_signups``: places, waitlists, cancellations, promotions, check-ins, ratings,
    summaries)."""
    plans = activities.demo_plans(rng)
    if plans is None:
        return activities_demo.build_summary(made=False)
    activities.replay_signups(plans, seed=_seed(rng), clock=_clock(ACTIVITY_DAYS), rated=ACTIVITY_RATED)
    return activities_demo.build_summary()


def build_benefits(rng: random.Random) -> list[str]:
    """普惠: the demo's partners (``benefits.sign_demo``), campaigns through the services
    (``benefits/demo.py``), their coupons redeemed over the campaigns' days as the generator redeems
    its own (``benefits.redeem_issued``), then the spring campaign's end, the lotteries and the summary."""
    province = Union.objects.filter(parent__isnull=True).order_by("pk").first()
    city = Union.objects.filter(name=benefits_demo.CITY).first() or province
    if province is None or city is None:
        return ["普惠服务：没有工会组织，未生成演示数据"]
    partners = benefits.sign_demo(rng, city, timezone.localdate())
    show = benefits_demo.campaigns_made(rng, province=province, city=city, partners=partners)
    clock = _clock(BENEFITS_DAYS)
    for campaign, share, first, last in show.redemptions:
        start = clock.midnight(first) + timedelta(hours=9)
        end = min(clock.midnight(last) + timedelta(hours=20), clock.now)
        benefits.redeem_issued(campaign, share=share, start=start, end=end, keep=show.keep, seed=_seed(rng),
                               clock=clock)
    return benefits_demo.finish(rng, show)


def build_surveys(rng: random.Random) -> list[str]:
    """问卷: built and answered through the surveys services (``surveys/demo.py``)."""
    return surveys_demo.build(rng)


def build_learning(rng: random.Random) -> list[str]:
    """职课堂: no bulk rows yet; ``learning/demo.py`` makes the courses and the named worker's record."""
    return learning_demo.build(rng)


# The service modules' demo builders, in the order the demo command runs them.
SERVICES: tuple[Callable[[random.Random], list[str]], ...] = (
    build_market, build_appeals, build_benefits, build_activities, build_surveys, build_learning, pictures.build,
)
