"""Employers on file (一企一册) and the workplaces members are drawn into.

The first employers are the companies of grassroots unions without an employer on file
(``union_established``); the rest have no union of their own and sit under the street, park or
trade union that takes them in (a tenth of them express, delivery, ride-hailing and trucking
outfits, under the trade's 工会联合会 where there is one). Sizes follow the demo's shares (many micro
and small, a few large), and members are apportioned to workplaces by headcount and by how many of
a workplace's workers join (most where there is a union of their own): a few big factories, many
small ones. Gig workers (15%) go to the trade and park unions, gig employers and street unions.

Each employer's ``employee_count`` is at least the members it gets. Credit codes (GB 32100) are
valid and distinct without a lookup: the 9-character organization code is a bijection of the
employer's running number, which continues after the employers already on file.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from gonghui.lib.uscc import ALPHABET
from gonghui.lib.uscc import check_char as uscc_check
from gonghui.unions.models import Employer, EmployerSize, UnionKind, UnionLevel

from .base import (
    BATCH,
    Clock,
    Progress,
    Weighted,
    Writer,
    apportion,
    chunks,
    insert,
    pareto_weights,
    stream,
    with_ids,
)
from .people import GIG_SHARE
from .trades import ESTABLISHED, GIG, HEADCOUNT, SIZE_WEIGHTS, TRADES
from .tree import ROADS, ROOT_REGION, Namer, Node, Tree, trade_of

_ORG_SPACE = 31 ** 9
_ORG_STEP = 7_919_993_117  # not a multiple of 31: index → code is a bijection of [0, 31⁹)
GIG_EMPLOYERS = 0.1
JOIN_RATE = {True: (0.8, 1.0), False: (0.15, 0.35)}  # share of an employer's workers in the union


@dataclass(slots=True)
class Workplace:
    """Where members work: a union, maybe an employer on file, and how many members it gets."""

    union: int
    employer: int | None
    weight: float
    gig: bool = False
    quota: int = 0


@dataclass
class Workplaces:
    regular: list[Workplace] = field(default_factory=list)
    gig: list[Workplace] = field(default_factory=list)

    def plan(self, members: int) -> None:
        """Apportion ``members`` (15% gig workers, when there is anywhere for them)."""
        gig = round(members * GIG_SHARE) if self.gig else 0
        for places, total in ((self.regular, members - gig), (self.gig, gig)):
            for place, quota in zip(places, apportion(total, [p.weight for p in places]), strict=True):
                place.quota = quota

    def all(self) -> list[Workplace]:
        return [p for p in (*self.regular, *self.gig) if p.quota]


@dataclass(slots=True)
class _Plan:
    name: str
    union: Node
    industry: str
    size: str
    headcount: int
    rate: float
    established: bool
    gig: str = ""
    region: str = ROOT_REGION
    address: str = ""
    place: Workplace | None = None


def uscc(index: int, region: str) -> str:
    """A valid credit code of an enterprise (登记管理部门 9, 类别 1) registered in ``region``."""
    value, org = (index * _ORG_STEP) % _ORG_SPACE, []
    for _ in range(9):
        value, digit = divmod(value, 31)
        org.append(ALPHABET[digit])
    body = f"91{region}{''.join(reversed(org))}"
    return body + uscc_check(body)


class _Planner:
    def __init__(self, tree: Tree, rng: random.Random) -> None:
        # Company names never repeat those of the grassroots unions (an import may name an employer).
        companies = {n.name.removesuffix("工会") for n in tree.nodes if n.kind == UnionKind.GRASSROOTS}
        self.rng, self.namer, self.by_pk = rng, Namer(rng, companies), tree.by_pk
        self.industries = Weighted.of({key: weight for key, (weight, _) in TRADES.items()})
        self.sizes = {est: Weighted.of({s: w * (ESTABLISHED[s] if est else 1 - ESTABLISHED[s])
                                        for s, w in SIZE_WEIGHTS.items()}) for est in (True, False)}
        self.gig_sizes = Weighted.of({EmployerSize.MICRO: 45, EmployerSize.SMALL: 45, EmployerSize.MEDIUM: 10})

    def headcount(self, size: str) -> int:
        low, high = HEADCOUNT[size]
        return self.rng.randint(low, high)

    def established(self, union: Node, size: str | None) -> _Plan:
        size = size or self.sizes[True].pick(self.rng)
        return self._located(_Plan(name=union.name.removesuffix("工会"), union=union,
                                   industry=self.industries.pick(self.rng), size=size,
                                   headcount=self.headcount(size), rate=self.rng.uniform(*JOIN_RATE[True]),
                                   established=True))

    def unestablished(self, host: Node, gig: str) -> _Plan:
        if gig:
            industry, trades, _ = GIG[gig]
            size = self.gig_sizes.pick(self.rng)
        else:
            industry, trades = self.industries.pick(self.rng), ()
            size = self.sizes[False].pick(self.rng)
        trade = self.rng.choice(trades or TRADES[industry][1])
        return self._located(_Plan(name=self.namer.company(host.place, size, trade), union=host, industry=industry,
                                   size=size, headcount=self.headcount(size),
                                   rate=self.rng.uniform(*JOIN_RATE[False]), established=False, gig=gig))

    def _located(self, plan: _Plan) -> _Plan:
        """The region code (for the credit code) and an address, from the union's ancestors."""
        names, node = [], plan.union
        while node is not None:
            if len(node.region) >= 6 and plan.region == ROOT_REGION:
                plan.region = node.region[:6]
            if node.level in (UnionLevel.CITY, UnionLevel.DISTRICT):
                names.append(node.name.removesuffix("总工会"))
            node = self.by_pk.get(node.parent) if node.parent else None
        plan.address = f"{''.join(reversed(names))}{self.rng.choice(ROADS)}{self.rng.randint(1, 399)}号"
        return plan


def _hosts(tree: Tree) -> tuple[list[Node], list[Node], list[Node]]:
    """(unions that take in employers without a union of their own, trade unions, street federations)."""
    street_level = [n for n in tree.nodes if n.level == UnionLevel.STREET]
    trades = [n for n in street_level if trade_of(n.name)]
    hosts = [n for n in street_level if not trade_of(n.name)] or [
        n for n in tree.nodes if n.kind != UnionKind.GRASSROOTS] or [tree.nodes[0]]
    return hosts, trades, [n for n in street_level if n.kind == UnionKind.FEDERATION]


def plan_employers(tree: Tree, *, count: int, members: int, sizes: dict[int, str], seed: int,
                   ) -> tuple[list[_Plan], Workplaces]:
    """The employers to put on file and every workplace of the subtree, with member quotas."""
    rng = stream(seed, "employers")
    planner = _Planner(tree, rng)
    filed = set(Employer.objects.filter(union_id__in=[n.pk for n in tree.nodes])
                .values_list("union_id", flat=True).distinct())
    grassroots = [n for n in tree.nodes if n.kind == UnionKind.GRASSROOTS]
    plans = [planner.established(n, sizes.get(n.pk)) for n in [n for n in grassroots if n.pk not in filed][:count]]
    hosts, trades, streets = _hosts(tree)
    host_pick = Weighted(hosts, pareto_weights(rng, len(hosts), alpha=1.3, cap=30))
    for _ in range(count - len(plans)):
        gig = rng.choice(tuple(GIG)) if rng.random() < GIG_EMPLOYERS else ""
        fitting = [t for t in trades if trade_of(t.name) == gig] if gig else []
        plans.append(planner.unestablished(rng.choice(fitting) if fitting else host_pick.pick(rng), gig))
    places = Workplaces()
    for plan in plans:
        plan.place = Workplace(plan.union.pk, None, plan.headcount * plan.rate, gig=bool(plan.gig))
        (places.gig if plan.gig else places.regular).append(plan.place)
    established = {p.union.pk for p in plans if p.established}
    for node in grassroots:  # the other grassroots unions' workers: no employer on file (or not a new one)
        if node.pk not in established:
            size = sizes.get(node.pk) or planner.sizes[True].pick(rng)
            places.regular.append(Workplace(node.pk, None, planner.headcount(size) * 0.9))
    for node in tree.nodes:
        if node.kind == UnionKind.JOINT:
            places.gig.append(Workplace(node.pk, None, 40 * rng.paretovariate(1.5), gig=True))
    places.gig += [Workplace(n.pk, None, 5.0, gig=True) for n in streets]
    if not places.regular:
        places.regular.append(Workplace(tree.root.pk, None, 1.0))
    places.plan(members)
    return plans, places


def insert_employers(plans: list[_Plan], *, seed: int, clock: Clock, progress: Progress | None = None) -> int:
    """Put the planned employers on file, in batches; their keys go to their workplaces."""
    rng = stream(seed, "employers", "rows")
    start = Employer.objects.count()
    numbers = itertools.count(start)

    def codes(regions: list[str]) -> list[str]:
        found = [uscc(next(numbers), region) for region in regions]
        while start:  # codes already on file (another run's, or typed in) are skipped; ours never repeat
            clash = set(Employer.objects.filter(uscc__in=found).values_list("uscc", flat=True))
            if not clash:
                break
            found = [uscc(next(numbers), r) if c in clash else c for c, r in zip(found, regions, strict=True)]
        return found

    def write(chunk: Sequence[_Plan], rows: list[dict[str, Any]]) -> int:
        with_ids(Employer, rows)
        for plan, row in zip(chunk, rows, strict=True):
            plan.place.employer = row["id"]
        insert(Employer, rows)
        return len(rows)

    with Writer(progress) as writer:
        for chunk in chunks(plans, BATCH):
            rows = [_row(plan, rng, clock) for plan in chunk]
            for row, code in zip(rows, codes([p.region for p in chunk]), strict=True):
                row["uscc"] = code
            writer.submit(partial(write, chunk, rows))
    return len(plans)


def _row(plan: _Plan, rng: random.Random, clock: Clock) -> dict[str, Any]:
    legacy = rng.random() < 0.7  # on file when the platform started; the rest registered since
    created = (clock.start + timedelta(seconds=rng.randrange(30 * 86400)) if legacy else clock.moment(rng))
    assert plan.place is not None
    return {"name": plan.name, "industry": plan.industry, "size": plan.size, "address": plan.address,
            "union_id": plan.union.pk, "union_established": plan.established, "grid_id": None, "liaison_id": None,
            "employee_count": max(plan.headcount, math.ceil(plan.place.quota / plan.rate)), "created_at": created,
            "updated_at": created}
