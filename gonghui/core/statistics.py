"""Helpers for the modules' statistics selectors (see ``core.modules.StatSource``).

Days are local days (Asia/Shanghai): a ticket filed at 23:30 Beijing time counts on that day, not
on the UTC day. Both helpers run one GROUP BY query in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .modules import DailyRow


def day_start(day: date) -> datetime:
    """The first instant of a local day."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def count_by_day(queryset: QuerySet, *, moment: str, union: str, metric: str, first: date, last: date,
                 dimension: str | None = None) -> Iterator[DailyRow]:
    """Count ``queryset`` rows per (union, local day of ``moment``[, dimension]) for days ``first..last``."""
    span = {f"{moment}__gte": day_start(first), f"{moment}__lt": day_start(last + timedelta(days=1))}
    rows = (queryset.filter(**span)
            .annotate(stat_day=TruncDate(moment))
            .values_list(union, "stat_day", *([dimension] if dimension else []))
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        yield row[0], row[1], metric, (row[2] or "") if dimension else "", row[-1]


def local_days(queryset: QuerySet, moment: str) -> set[date]:
    """The distinct local days of ``moment`` among ``queryset`` rows (NULLs skipped)."""
    return set(queryset.exclude(**{f"{moment}__isnull": True}).annotate(stat_day=TruncDate(moment))
               .values_list("stat_day", flat=True).distinct().order_by())
