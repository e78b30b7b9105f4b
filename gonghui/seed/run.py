"""The generator's one entry point: check the options, then build each part in order, timed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.utils import timezone

from gonghui.lib.text import is_uuid
from gonghui.members.models import Member
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel

from . import activities, appeals, benefits, market
from .base import Clock, Progress, SeedError
from .employers import insert_employers, plan_employers
from .members import insert_all
from .pool import MemberPool
from .tree import ROOT_NAME, build_tree, load_tree, plan_levels

SIZES = ("unions", "employers", "members", "orders", "tickets", "coupons", "signups")
NEEDS_MEMBERS = {"orders": "云集市订单", "coupons": "普惠券", "signups": "活动报名"}
# What the progress lines call each part and each count.
LABELS = {"unions": "工会组织", "employers": "企业/单位", "members": "会员", "pool": "读取会员", "orders": "云集市订单",
          "tickets": "12351工单", "coupons": "普惠券", "signups": "活动报名", "providers": "服务方",
          "offerings": "服务项目", "partners": "合作商户", "campaigns": "券活动", "activities": "活动"}


@dataclass
class Summary:
    """What a run made: the root of its data, the sizes asked for and what came with them (providers,
    offerings, partners, campaigns, activities), and each part's time in seconds (by the same keys)."""

    root: Union
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def unions(self, *levels: int, kind: str | None = None) -> list[Union]:
        """The root's subtree (itself included) at ``levels``, depth-first."""
        qs = Union.objects.subtree(self.root).filter(level__in=levels)
        return sorted(qs.filter(kind=kind) if kind else qs, key=lambda u: [int(p) for p in u.path.split("/")[:-1]])

    @property
    def cities(self) -> list[Union]:
        return self.unions(UnionLevel.CITY)

    @property
    def districts(self) -> list[Union]:
        return self.unions(UnionLevel.DISTRICT)

    @property
    def grassroots(self) -> list[Union]:
        return self.unions(*UnionLevel.values, kind=UnionKind.GRASSROOTS)

    @property
    def employers(self) -> list[Employer]:
        return list(Employer.objects.filter(union__path__startswith=self.root.path).order_by("pk"))


def check(sizes: dict[str, int], *, under: Union | None) -> None:
    """Raise SeedError (Chinese) for options that cannot be honoured, before anything is written."""
    for name in SIZES:
        if sizes[name] < 0:
            raise SeedError(f"规模不能为负数：--{name} {sizes[name]}")
    has_members = sizes["members"] > 0 or (
        under is not None and Member.objects.filter(union__path__startswith=under.path).exists())
    for name, what in NEEDS_MEMBERS.items():
        if sizes[name] and not has_members:
            raise SeedError(f"生成{what}需要会员：请同时指定 --members（或用 --under 放到已有会员的工会之下）")
    if under is None and not sizes["unions"]:
        raise SeedError("请用 --unions 指定要生成的工会数（至少 5 个），或用 --under 指定放在哪个已有工会之下")
    if sizes["unions"]:
        plan_levels(sizes["unions"], below=under.level if under is not None else None)
    if under is None and Union.objects.filter(parent__isnull=True, name=ROOT_NAME).exists():
        raise SeedError(f"数据库中已有生成的数据（{ROOT_NAME}）。请在空数据库中生成，"
                        "或用 --under <工会UUID> 把新数据追加到某个工会之下。")


def resolve_under(under: Union | str | UUID | None) -> Union | None:
    if under is None or isinstance(under, Union):
        return under
    found = Union.objects.filter(uuid=str(under)).first() if is_uuid(str(under)) else None
    if found is None:
        raise SeedError(f"找不到 UUID 为 {under} 的工会")
    if not found.is_active:
        raise SeedError(f"{found.name}已停用，不能在其下生成数据")
    return found


def seed(*, unions: int = 0, employers: int = 0, members: int = 0, orders: int = 0, tickets: int = 0,
         coupons: int = 0, signups: int = 0, offerings: int | None = None, seed: int = 2026,
         today: date | None = None, under: Union | str | UUID | None = None,
         progress: Callable[[str], None] | None = None) -> Summary:
    """Generate a synthetic dataset (see the package docstring) and return what it made.

    ``under``: an existing union (or its UUID) to put everything under, instead of a new province.
    ``progress`` receives Chinese progress lines. Raises SeedError for options that cannot be honoured.
    """
    sizes = {"unions": unions, "employers": employers, "members": members, "orders": orders, "tickets": tickets,
             "coupons": coupons, "signups": signups}
    parent = resolve_under(under)
    check(sizes, under=parent)
    clock = Clock(today or timezone.localdate())
    say = progress or (lambda _: None)
    run = _Run(say)
    if unions:
        tree, company_sizes = run.part("unions", unions, lambda p: build_tree(
            total=unions, under=parent, seed=seed, clock=clock))
    else:
        tree, company_sizes = load_tree(parent), {}
    plans, places = plan_employers(tree, count=employers, members=members, sizes=company_sizes, seed=seed)
    run.part("employers", employers, lambda p: insert_employers(plans, seed=seed, clock=clock, progress=p))
    run.part("members", members, lambda p: insert_all(places, root=tree.root.pk, seed=seed, clock=clock, progress=p))
    if orders or tickets or coupons or signups:
        pool = run.part("pool", 0, lambda p: MemberPool(tree), always=True)
        run.part("orders", orders, lambda p: market.build_market(
            tree, pool, orders=orders, offerings=offerings, seed=seed, clock=clock, progress=p))
        run.part("tickets", tickets, lambda p: appeals.build_tickets(
            tree, pool, tickets=tickets, seed=seed, clock=clock, progress=p))
        run.part("coupons", coupons, lambda p: benefits.build_coupons(
            tree, pool, coupons=coupons, seed=seed, clock=clock, progress=p))
        run.part("signups", signups, lambda p: activities.build_signups(
            tree, pool, signups=signups, seed=seed, clock=clock, progress=p))
    return Summary(root=tree.root, counts={**sizes, **run.counts}, timings=run.timings)


class _Run:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def part(self, key: str, size: int, make: Callable[[Progress], Any], *, always: bool = False) -> Any:
        """Run one part (skipped when ``size`` is 0 unless ``always``) and report its time."""
        if not size and not always:
            return None
        label = LABELS[key]
        started = time.perf_counter()
        self.say(f"{label} …")
        result = make(Progress(self.say, label, size))
        took = self.timings[key] = time.perf_counter() - started
        extra = ""
        if isinstance(result, dict):
            made = {k: v for k, v in result.items() if k != key}
            self.counts.update(made)
            extra = "（" + "，".join(f"{LABELS[k]} {v:,}" for k, v in made.items()) + "）" if made else ""
        rate = f"，每秒 {size / took:,.0f} 条" if size and took > 0 else ""
        self.say(f"{label}：{size:,} 条{extra}，用时 {took:.1f} 秒{rate}" if size else f"{label}：用时 {took:.1f} 秒")
        return result

