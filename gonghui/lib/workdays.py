"""Working days in mainland China: weekends, public holidays and make-up working days (调休上班日).

Each November the State Council publishes the next year's arrangement (国务院办公厅关于XXXX年部分节假日
安排的通知): days off, some of them weekdays moved from a weekend, and the weekend days that become
working days to pay for them. No rule derives it, so every year is data.

Shipped years: 2025 (国办发明电〔2024〕12号) and 2026 (国务院办公厅 2025年11月4日通知). For any other
year only Saturdays and Sundays are days off until an operator adds the year in the settings::

    WORKDAY_CALENDAR = {
        2027: {"holidays": ["2027-01-01", "2027-02-05/2027-02-13"], "workdays": ["2027-02-14"]},
    }

Dates are ``date`` objects or ISO strings; ``"a/b"`` is an inclusive range. A year given in the
setting replaces the shipped data for that year. ``configured_years()`` tells which years are known.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Days off (holidays and the weekdays moved into them) and make-up working days, per year.
SHIPPED: dict[int, dict[str, list[str]]] = {
    2025: {
        "holidays": [
            "2025-01-01",               # 元旦
            "2025-01-28/2025-02-04",    # 春节
            "2025-04-04/2025-04-06",    # 清明节
            "2025-05-01/2025-05-05",    # 劳动节
            "2025-05-31/2025-06-02",    # 端午节
            "2025-10-01/2025-10-08",    # 国庆节、中秋节
        ],
        "workdays": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    },
    2026: {
        "holidays": [
            "2026-01-01/2026-01-03",    # 元旦
            "2026-02-15/2026-02-23",    # 春节
            "2026-04-04/2026-04-06",    # 清明节
            "2026-05-01/2026-05-05",    # 劳动节
            "2026-06-19/2026-06-21",    # 端午节
            "2026-09-25/2026-09-27",    # 中秋节
            "2026-10-01/2026-10-07",    # 国庆节
        ],
        "workdays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
}


class CalendarConfigError(ValueError):
    """WORKDAY_CALENDAR is malformed."""


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CalendarConfigError(f"WORKDAY_CALENDAR: {value!r} is not a date (YYYY-MM-DD)") from None


def _expand(items: Iterable[Any]) -> set[date]:
    days: set[date] = set()
    for item in items:
        if isinstance(item, str) and "/" in item:
            first, last = (_as_date(part) for part in item.split("/", 1))
            if last < first:
                raise CalendarConfigError(f"WORKDAY_CALENDAR: the range {item!r} ends before it starts")
            days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            days.add(_as_date(item))
    return days


def build_calendar(overrides: Mapping[Any, Mapping[str, Iterable[Any]]] | None = None) -> Calendar:
    """The shipped years with ``overrides`` (the WORKDAY_CALENDAR setting's shape) applied."""
    data: dict[int, Mapping[str, Iterable[Any]]] = dict(SHIPPED)
    for year, spec in (overrides or {}).items():
        data[int(year)] = spec
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year, spec in data.items():
        off, on = _expand(spec.get("holidays", ())), _expand(spec.get("workdays", ()))
        stray = {d for d in off | on if d.year != year}
        if stray:
            raise CalendarConfigError(f"WORKDAY_CALENDAR: {sorted(stray)[0]} is listed under {year}")
        if off & on:
            raise CalendarConfigError(f"WORKDAY_CALENDAR: {sorted(off & on)[0]} is both a holiday and a workday")
        holidays |= off
        workdays |= on
    return Calendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(data))


_cache: tuple[Any, Calendar] | None = None


def _override() -> Any:
    try:
        from django.conf import settings

        return getattr(settings, "WORKDAY_CALENDAR", None)
    except Exception:  # Django not configured (a script using lib alone): the shipped data only
        return None


def calendar() -> Calendar:
    """The calendar in force (rebuilt only when the setting changes)."""
    global _cache
    override = _override()
    if _cache is None or _cache[0] != override:
        _cache = (copy.deepcopy(override), build_calendar(override))
    return _cache[1]


def configured_years() -> frozenset[int]:
    """Years whose holidays are known; outside them only weekends are days off."""
    return calendar().years


def is_workday(day: date) -> bool:
    cal = calendar()
    if day in cal.workdays:
        return True
    if day in cal.holidays:
        return False
    return day.weekday() < 5


def add_workdays(start: date, n: int) -> date:
    """The day ``n`` working days after ``start`` (before it, for a negative ``n``); ``start`` itself
    is not counted, so ``add_workdays(friday, 1)`` is the next Monday in an ordinary week."""
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += timedelta(days=step)
        if is_workday(day):
            left -= 1
    return day


def workdays_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    ``workdays_between(a, add_workdays(a, n)) == n`` for every working-day result.
    """
    if b < a:
        return -workdays_between(b, a)
    return sum(1 for i in range(1, (b - a).days + 1) if is_workday(a + timedelta(days=i)))
