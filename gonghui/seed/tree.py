"""The union tree: province → cities → districts → streets, towns and parks → grassroots unions.

Fan-out is realistic: a province of ~15,000 unions has about 10 cities, 60 districts, 430 streets and
parks and 14,500 grassroots unions (most unions are grassroots). Children are spread over their
parents unevenly (some streets and parks hold many enterprises), a few big enterprises' unions sit
right under a district or city, and some street-level unions are 工会联合会 (industrial parks; the
express, delivery, ride-hailing and trucking trades), where gig workers belong. Every grassroots
union is named after its company (employers.py puts those companies on file).

The keys are drawn first (roster's ``reserve_ids``), so each union's materialized path goes into
the same INSERT; the whole tree is one transaction.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.db import transaction

from gonghui.members.services.roster.writing import reserve_ids
from gonghui.unions.models import EmployerSize, Union, UnionKind, UnionLevel

from .base import Clock, SeedError, Weighted, chunks, insert, pareto_weights, stream
from .trades import BRAND_WORDS, ESTABLISHED, SIZE_WEIGHTS, TRADES

ROOT_NAME = "压测省总工会"
ROOT_REGION = "630000"
MIN_UNIONS = 5  # a province, a city, a district, a street and a grassroots union

PLACES = (
    "江宁", "临川", "云阳", "安平", "永宁", "长乐", "东海", "南山", "北川", "西岭", "清河", "河西", "新华", "和平",
    "兴隆", "丰泽", "金川", "青石", "白沙", "红旗", "太平", "平川", "宁远", "东岳", "松林", "柳溪", "桃源", "梅林",
    "竹园", "杏坛", "枫桥", "石门", "龙泉", "凤鸣", "鹤岗", "鹿鸣", "马场", "牛栏", "羊角", "虎山", "莲塘", "荷花",
    "芙蓉", "牡丹", "兰亭", "菊园", "双桥", "三岔", "四方", "五里", "六合", "七星", "八角", "九龙", "十里", "百花",
    "千佛", "万寿", "上林", "下关", "前进", "后街", "中心", "东风", "西山", "南湖", "北湖", "东湖", "西湖", "滨江",
    "沿河", "临湖", "望江", "观澜", "听涛", "鸣沙", "金沙", "银滩", "玉泉", "翠屏", "碧水", "青山", "绿洲", "蓝田",
    "紫荆", "黄河", "长江", "珠江", "汉江", "渭水", "湟源", "昆仑", "祁连", "天山", "泰山", "华山", "嵩山", "庐山",
    "雁塔", "钟楼", "鼓楼", "城关", "新城", "老城", "开发", "高新", "经开", "临空", "保税", "港城", "航空", "铁路",
)
ROADS = ("人民路", "建设路", "解放路", "中山路", "和平路", "新华路", "长江路", "黄河路", "朝阳路", "文化路", "胜利路",
         "光明路", "团结路", "幸福路", "滨河路", "工业路", "创业路", "科技路", "迎宾大道", "发展大道")
TRADE_UNIONS = (("express", "快递行业"), ("delivery", "外卖配送行业"), ("ride", "网约车行业"), ("truck", "货车司机"))
FORMS = {EmployerSize.LARGE: ("集团有限公司", "股份有限公司", "有限公司"),
         EmployerSize.MEDIUM: ("有限公司", "有限责任公司", "股份有限公司"),
         EmployerSize.SMALL: ("有限公司", "有限公司", "有限责任公司"),
         EmployerSize.MICRO: ("有限公司", "经营部", "有限公司")}


@dataclass(slots=True)
class Node:
    """A union of the subtree the data goes into (new or already there)."""

    pk: int
    parent: int | None
    level: int
    kind: str
    name: str
    region: str
    path: str
    place: str = ""  # a short place word for the names below it

    @property
    def key(self) -> tuple[int, ...]:
        """Depth-first order that does not depend on the keys' digits: the path's keys as numbers."""
        return tuple(int(part) for part in self.path.split("/")[:-1])


@dataclass
class Tree:
    root: Union
    nodes: list[Node]  # the root's whole subtree, depth-first (the root first)

    @cached_property
    def by_pk(self) -> dict[int, Node]:
        return {n.pk: n for n in self.nodes}


# --- Planning the levels ---------------------------------------------------------------------------------------------


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


# Per level: (about one per so many unions of the total, at most so many per parent).
FAN_OUT = {UnionLevel.CITY: (1500, 20), UnionLevel.DISTRICT: (250, 15), UnionLevel.STREET: (35, 40)}


def plan_levels(total: int, *, below: int | None) -> dict[int, int]:
    """How many unions of each level to make: a province and everything under it (``below`` None),
    or the levels under an existing union of level ``below``. Raises SeedError when ``total`` cannot
    give every level at least one."""
    if below is not None and below >= UnionLevel.GRASSROOTS:
        raise SeedError("基层工会之下不能再建组织，请用 --under 指定更高一级的工会")
    counts = {UnionLevel.PROVINCE: 1} if below is None else {}
    levels = [level for level in FAN_OUT if below is None or level > below]
    needed = len(counts) + len(levels) + 1
    if total < needed:
        names = "、".join(UnionLevel(level).label for level in [*counts, *levels, UnionLevel.GRASSROOTS])
        raise SeedError(f"--unions 至少为 {needed}（{names}各一个）")
    parents = 1
    for level in levels:
        per, most = FAN_OUT[level]
        counts[level] = parents = _clamp(total / per, 1 if level == levels[0] else parents, parents * most)
    counts[UnionLevel.GRASSROOTS] = total - sum(counts.values())
    return counts


# --- Building the unions -------------------------------------------------------------------------------------------


class Namer:
    """Place words without repeats among siblings, and company names without repeats in a run."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.companies: set[str] = set(taken or ())

    def places(self, count: int) -> list[str]:
        words = self.rng.sample(PLACES, min(count, len(PLACES)))
        return words + [f"{self.rng.choice(PLACES)}{n}" for n in range(2, count - len(words) + 2)]

    def company(self, place: str, size: str, trade: str) -> str:
        rng = self.rng
        base = f"{place}{rng.choice(BRAND_WORDS)}{trade}"
        name = base + rng.choice(FORMS[size])
        for n in range(2, 1000):
            if name not in self.companies:
                break
            name = f"{base}有限公司第{n}分公司"
        self.companies.add(name)
        return name


def _region(parent: str, level: int, ordinal: int) -> str:
    """The child's GB/T 2260-style code, or "" (card numbers then take the nearest ancestor's)."""
    if level == UnionLevel.CITY and len(parent) >= 2 and ordinal < 100:
        return f"{parent[:2]}{ordinal:02d}00"
    if level == UnionLevel.DISTRICT and len(parent) >= 4 and ordinal < 100:
        return f"{parent[:4]}{ordinal:02d}"
    if level == UnionLevel.STREET and len(parent) >= 6 and ordinal < 1000:
        return f"{parent[:6]}{ordinal:03d}"
    return ""


@dataclass
class _Builder:
    rng: random.Random
    namer: Namer
    ids: Iterator[int]
    nodes: list[Node] = field(default_factory=list)
    ordinals: dict[int, int] = field(default_factory=dict)
    sizes: dict[int, str] = field(default_factory=dict)  # grassroots pk → the size of its company

    def add(self, parent: Node | None, *, level: int, kind: str, name: str, place: str) -> Node:
        pk = next(self.ids)
        ordinal = self.ordinals.get(parent.pk, 0) + 1 if parent else 1
        if parent is not None:
            self.ordinals[parent.pk] = ordinal
        node = Node(pk=pk, parent=parent.pk if parent else None, level=level, kind=kind, name=name,
                    region=_region(parent.region, level, ordinal) if parent else ROOT_REGION,
                    path=f"{parent.path if parent else ''}{pk}/", place=place)
        self.nodes.append(node)
        return node

    def spread(self, parents: list[Node], count: int) -> list[Node]:
        """Parents for ``count`` children: every parent one first, the rest unevenly."""
        chosen = parents[:count]
        if count > len(parents):
            weights = Weighted(parents, pareto_weights(self.rng, len(parents), alpha=1.5, cap=20))
            chosen += [weights.pick(self.rng) for _ in range(count - len(parents))]
        return chosen


def _levels(b: _Builder, root: Node, counts: dict[int, int]) -> None:
    """Cities, districts and streets/towns/parks under ``root`` (into ``b.nodes``, parents first)."""
    parents = [root]
    for level in (UnionLevel.CITY, UnionLevel.DISTRICT, UnionLevel.STREET):
        if not counts.get(level):
            continue
        by_parent: dict[int, list[Node]] = {}
        for parent in b.spread(parents, counts[level]):
            by_parent.setdefault(parent.pk, []).append(parent)
        parents = [_federation(b, parent, level, place)
                   for group in by_parent.values()
                   for parent, place in zip(group, b.namer.places(len(group)), strict=True)]


def _federation(b: _Builder, parent: Node, level: int, place: str) -> Node:
    if level == UnionLevel.CITY:
        return b.add(parent, level=level, kind=UnionKind.FEDERATION, name=f"{place}市总工会", place=place)
    if level == UnionLevel.DISTRICT:
        suffix = "区" if b.rng.random() < 0.7 else "县"
        return b.add(parent, level=level, kind=UnionKind.FEDERATION, name=f"{place}{suffix}总工会", place=place)
    roll = b.rng.random()
    if roll < 0.6:
        return b.add(parent, level=level, kind=UnionKind.FEDERATION, name=f"{place}街道总工会", place=place)
    if roll < 0.85:
        return b.add(parent, level=level, kind=UnionKind.FEDERATION, name=f"{place}镇总工会", place=place)
    if roll < 0.95:
        return b.add(parent, level=level, kind=UnionKind.JOINT, name=f"{place}工业园区工会联合会", place=place)
    _, trade = b.rng.choice(TRADE_UNIONS)
    return b.add(parent, level=level, kind=UnionKind.JOINT, name=f"{place}{trade}工会联合会", place=place)


def _grassroots(b: _Builder, count: int, parents: dict[int, list[Node]]) -> None:
    """Grassroots unions, named after their companies: mostly under streets and parks (each gets one
    first), some right under districts and cities (big enterprises)."""
    shares = {UnionLevel.STREET: 0.85, UnionLevel.DISTRICT: 0.12, UnionLevel.CITY: 0.03}
    pools = {lvl: Weighted(nodes, pareto_weights(b.rng, len(nodes), alpha=1.3, cap=30))
             for lvl, nodes in parents.items() if nodes}
    by_level = Weighted(list(pools), [shares.get(lvl, 1.0) for lvl in pools])
    size_pick = Weighted.of({size: weight * ESTABLISHED[size] for size, weight in SIZE_WEIGHTS.items()})
    industries = Weighted.of({key: weight for key, (weight, _) in TRADES.items()})
    firsts = iter(pools[max(pools)].items)
    for _ in range(count):
        parent = next(firsts, None) or pools[by_level.pick(b.rng)].pick(b.rng)
        size = size_pick.pick(b.rng)
        trade = b.rng.choice(TRADES[industries.pick(b.rng)][1])
        node = b.add(parent, level=UnionLevel.GRASSROOTS, kind=UnionKind.GRASSROOTS,
                     name=b.namer.company(parent.place, size, trade) + "工会", place=parent.place)
        b.sizes[node.pk] = size


def build_tree(*, total: int, under: Union | None, seed: int, clock: Clock) -> tuple[Tree, dict[int, str]]:
    """Make ``total`` unions (a new province, or below ``under``) in one transaction. Returns the
    root's whole subtree and the sizes of the new grassroots unions' companies."""
    counts = plan_levels(total, below=under.level if under is not None else None)
    rng = stream(seed, "unions")
    with transaction.atomic():
        b = _Builder(rng, Namer(rng), iter(reserve_ids(Union, sum(counts.values()))))
        if under is None:
            root = b.add(None, level=UnionLevel.PROVINCE, kind=UnionKind.FEDERATION, name=ROOT_NAME, place="压测")
        else:
            root = _node(under, place=_place_of(under.name))
        _levels(b, root, counts)
        parents = {level: [n for n in b.nodes if n.level == level] or ([root] if root.level == level else [])
                   for level in FAN_OUT}
        _grassroots(b, counts[UnionLevel.GRASSROOTS], parents)
        for chunk in chunks(b.nodes, 5000):
            insert(Union, [_union_row(node, clock, rng) for node in chunk])
    return load_tree(Union.objects.get(pk=root.pk)), b.sizes


def _union_row(node: Node, clock: Clock, rng: random.Random) -> dict[str, Any]:
    return {"id": node.pk, "name": node.name, "kind": node.kind, "level": node.level, "region_code": node.region,
            "parent_id": node.parent, "path": node.path, "depth": node.path.count("/") - 1, "is_active": True,
            "address": "", "created_at": clock.start + timedelta(seconds=rng.randrange(30 * 86400))}


def _place_of(name: str) -> str:
    """The place word a union's name starts with ("江宁市总工会", "江宁鑫源物流有限公司工会" → "江宁")."""
    return name[:2] or "压测"


def trade_of(name: str) -> str:
    """The gig trade a 工会联合会 takes in ("express", …), from its name, or ""."""
    return next((key for key, word in TRADE_UNIONS if name.endswith(f"{word}工会联合会")), "")


def _node(union: Union, *, place: str = "") -> Node:
    return Node(pk=union.pk, parent=union.parent_id, level=union.level, kind=union.kind, name=union.name,
                region=union.region_code, path=union.path, place=place or _place_of(union.name))


def load_tree(root: Union) -> Tree:
    """The active unions of ``root``'s subtree, depth-first."""
    nodes = [_node(u) for u in Union.objects.subtree(root).active().only(
        "pk", "parent_id", "level", "kind", "name", "region_code", "path")]
    nodes.sort(key=lambda n: n.key)
    return Tree(root=root, nodes=nodes)
