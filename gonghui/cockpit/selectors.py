"""What a cockpit page shows, read from the pre-aggregated statistics only.

``overview(union)`` costs a fixed number of queries whose size grows with the number of unions on
the page (the union and its children) and the months kept — never with the members, orders or
tickets underneath. The console page, the big screen, the Excel exports and the API all render
the same ``Overview``, so they always show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from gonghui.core.modules import stat_sources
from gonghui.core.scope import DATA_ROLES, scope_of
from gonghui.unions.models import Union
from gonghui.unions.selectors import statistics_union

from .models import Figure, Flow, Period, RefreshRun
from .services import last_refresh

SERVED = ("market.served", "activities.participants", "benefits.redeemed")  # 惠及人次 = the sum of these
TREND_MONTHS = 12
DAILY_DAYS = 30


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(part * 100 / whole, 1) if whole else None


def dimension_labels() -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for source in stat_sources():
        labels.update(source.dimensions)
    return labels


@dataclass
class Counts:
    """Flow counts of one union: this month, and cumulative (累计, over the history kept)."""

    month: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def served(self, which: str = "total") -> int:
        values = getattr(self, which)
        return sum(values[m] for m in SERVED)


class Rates:
    """What is derived from a union's ``figures`` and ``counts`` (the overview's and each ranking row's)."""

    figures: dict[str, int]
    counts: Counts

    def figure(self, metric: str) -> int:
        return self.figures.get(metric, 0)

    @property
    def members(self) -> int:
        return self.figure("members.total")

    @property
    def unionization(self) -> float | None:
        return rate(self.figure("employers.unionized"), self.figure("employers.total"))

    @property
    def people_served(self) -> int:
        return self.counts.served()

    @property
    def people_served_month(self) -> int:
        return self.counts.served("month")

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts.total["appeals.on_time"], self.counts.total["appeals.closed"])

    @property
    def satisfaction(self) -> float | None:
        return rate(self.counts.total["appeals.satisfied"], self.counts.total["appeals.rated"])


@dataclass
class RankRow(Rates):
    union: Union
    figures: dict[str, int]
    counts: Counts


@dataclass
class MonthRow:
    month: date
    values: dict[str, int]

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def people_served(self) -> int:
        return sum(self.values.get(m, 0) for m in SERVED)


@dataclass
class Overview(Rates):
    union: Union
    ancestors: list[Union]  # the breadcrumb above ``union`` that the viewer may open
    today: date
    figures: dict[str, int]
    dims: dict[str, list[tuple[str, str, int]]]  # metric → [(code, label, value)], largest first
    counts: Counts
    trend: list[MonthRow]
    daily: list[MonthRow]  # one row per day (``month`` holds the day)
    ranking: list[RankRow]
    own: RankRow  # the union's own level (本级): its figures less its children's
    refreshed: RefreshRun | None


# --- Which union ------------------------------------------------------------------------------------------------


def viewer_unions(user: Any) -> Any:
    """The unions whose statistics ``user`` may read (the same rule as every business list)."""
    return Union.objects.visible_to(user)


def can_view(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths(DATA_ROLES))


def cockpit_union(user: Any, key: Any = None) -> Union | None:
    """The union to show: the requested one if the viewer may see it, else the viewer's top union.
    None when the key is unknown or outside the scope (the caller answers 404)."""
    return statistics_union(user, key, roles=DATA_ROLES)


# --- The overview -----------------------------------------------------------------------------------------------


def _own_level(union: Union, figures: dict[str, int], counts: Counts, children: list[RankRow]) -> RankRow:
    """What the union holds itself (本级): its subtree figures less those of its children."""
    own = RankRow(union=union, figures={}, counts=Counts())
    for metric, value in figures.items():
        own.figures[metric] = value - sum(child.figures.get(metric, 0) for child in children)
    for which in ("month", "total"):
        mine = getattr(own.counts, which)
        for metric, value in getattr(counts, which).items():
            mine[metric] = value - sum(getattr(child.counts, which)[metric] for child in children)
    return own


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def overview(union: Union, *, user: Any, today: date | None = None) -> Overview:
    today = today or timezone.localdate()
    month = today.replace(day=1)
    children = list(Union.objects.filter(parent=union).order_by("-is_active", "name"))
    ids = [union.pk, *(child.pk for child in children)]

    figures: dict[int, dict[str, int]] = defaultdict(dict)
    dim_values: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for union_id, metric, dim, value in Figure.objects.filter(union_id__in=ids).values_list(
            "union_id", "metric", "dim", "value"):
        if dim:
            if union_id == union.pk:
                dim_values[metric].append((dim, value))
        else:
            figures[union_id][metric] = value

    counts: dict[int, Counts] = defaultdict(Counts)
    per_child = (Flow.objects.filter(union_id__in=ids, period=Period.MONTH, dim="").order_by()
                 .values_list("union_id", "metric")
                 .annotate(total=Sum("value"), month=Sum("value", filter=Q(start=month))))
    for union_id, metric, total, this_month in per_child:
        counts[union_id].total[metric] = total or 0
        counts[union_id].month[metric] = this_month or 0

    first_month = _months_back(month, TREND_MONTHS - 1)
    by_month: dict[date, dict[str, int]] = {_months_back(month, n): {} for n in range(TREND_MONTHS)}
    for start, metric, value in Flow.objects.filter(union=union, period=Period.MONTH, dim="",
                                                    start__gte=first_month).values_list("start", "metric", "value"):
        by_month[start][metric] = value
    first_day = today - timedelta(days=DAILY_DAYS - 1)
    by_day: dict[date, dict[str, int]] = {first_day + timedelta(days=n): {} for n in range(DAILY_DAYS)}
    for start, metric, value in Flow.objects.filter(union=union, period=Period.DAY, dim="", start__gte=first_day,
                                                    start__lte=today).values_list("start", "metric", "value"):
        by_day[start][metric] = value

    labels = dimension_labels()
    dims = {metric: [(code, labels.get(metric, {}).get(code, code), value)
                     for code, value in sorted(values, key=lambda item: (-item[1], item[0]))]
            for metric, values in dim_values.items()}
    visible = viewer_unions(user)
    ancestors = list(visible.filter(pk__in=union.ancestor_ids).order_by("depth"))
    ranking = [RankRow(union=child, figures=figures.get(child.pk, {}), counts=counts[child.pk]) for child in children
               if child.is_active or child.pk in figures or child.pk in counts]
    ranking.sort(key=lambda row: (-row.members, -row.people_served, row.union.name))
    return Overview(
        union=union, ancestors=ancestors, today=today, figures=figures.get(union.pk, {}), dims=dims,
        counts=counts[union.pk], ranking=ranking, refreshed=last_refresh(),
        own=_own_level(union, figures.get(union.pk, {}), counts[union.pk], ranking),
        trend=[MonthRow(month=m, values=by_month[m]) for m in sorted(by_month)],
        daily=[MonthRow(month=d, values=by_day[d]) for d in sorted(by_day)],
    )
