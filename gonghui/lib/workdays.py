"""Working days in mainland China: weekends, public holidays and make-up working days (调休上班日).

Each November the State Council publishes the next year's arrangement (国务院办公厅关于XXXX年部分节假日
安排的通知): days off, some of them weekdays moved from a weekend, and the weekend days that become
working days to pay for them. No rule derives it, so every year is data.

Shipped years: 2020–2026 (``SHIPPED``, each checked day by day against an independent source in the
tests). An operator adds a year, or replaces a shipped one, in the settings (the environment variable
of the same name holds it as JSON)::

    WORKDAY_CALENDAR = {
        2027: {"holidays": ["2027-01-01", "2027-02-05/2027-02-13"], "workdays": ["2027-02-14"]},
    }

Dates are ISO strings (or ``date`` objects); ``"a/b"`` is an inclusive range. ``gonghui.lib.checks``
validates the setting when Django starts (``python -m gonghui check``).

A year with no arrangement is not counted as weekends only: it gets the statutory holidays of the
全国年节及纪念日放假办法 in force (``statutory_days_off``), without the bridge days and make-up
weekends no rule predicts, and from 1 November of the year before, ``check`` and the staff console
warn that the year still needs its arrangement (``missing_years``). Once it is loaded,
``python -m gonghui appeals_recompute_deadlines --year YYYY`` re-dates the open 12351 tickets.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Days off (holidays and the weekdays moved into them) and make-up working days, per year, as the
# State Council's notices give them. tests/test_workdays.py compares every day of every shipped year
# with an independent source (the ``chinesecalendar`` package, a development dependency).
SHIPPED: dict[int, dict[str, list[str]]] = {
    2020: {  # 国办发明电〔2019〕16号; 春节 extended to 02-02 by 国办发明电〔2020〕1号 (COVID-19)
        "holidays": [
            "2020-01-01",               # 元旦
            "2020-01-24/2020-02-02",    # 春节 (the extension also cancelled the 02-01 make-up day)
            "2020-04-04/2020-04-06",    # 清明节
            "2020-05-01/2020-05-05",    # 劳动节
            "2020-06-25/2020-06-27",    # 端午节
            "2020-10-01/2020-10-08",    # 国庆节、中秋节
        ],
        "workdays": ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"],
    },
    2021: {  # 国办发明电〔2020〕27号
        "holidays": [
            "2021-01-01/2021-01-03",    # 元旦
            "2021-02-11/2021-02-17",    # 春节
            "2021-04-03/2021-04-05",    # 清明节
            "2021-05-01/2021-05-05",    # 劳动节
            "2021-06-12/2021-06-14",    # 端午节
            "2021-09-19/2021-09-21",    # 中秋节
            "2021-10-01/2021-10-07",    # 国庆节
        ],
        "workdays": ["2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26",
                     "2021-10-09"],
    },
    2022: {  # 国办发明电〔2021〕11号
        "holidays": [
            "2022-01-01/2022-01-03",    # 元旦
            "2022-01-31/2022-02-06",    # 春节
            "2022-04-03/2022-04-05",    # 清明节
            "2022-04-30/2022-05-04",    # 劳动节
            "2022-06-03/2022-06-05",    # 端午节
            "2022-09-10/2022-09-12",    # 中秋节
            "2022-10-01/2022-10-07",    # 国庆节
        ],
        "workdays": ["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08",
                     "2022-10-09"],
    },
    2023: {  # 国办发明电〔2022〕16号 (元旦 2022-12-31 … 2023-01-02; the Saturday belongs to 2022)
        "holidays": [
            "2023-01-01/2023-01-02",    # 元旦
            "2023-01-21/2023-01-27",    # 春节
            "2023-04-05",               # 清明节
            "2023-04-29/2023-05-03",    # 劳动节
            "2023-06-22/2023-06-24",    # 端午节
            "2023-09-29/2023-10-06",    # 中秋节、国庆节
        ],
        "workdays": ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07",
                     "2023-10-08"],
    },
    2024: {  # 国办发明电〔2023〕7号
        "holidays": [
            "2024-01-01",               # 元旦
            "2024-02-10/2024-02-17",    # 春节
            "2024-04-04/2024-04-06",    # 清明节
            "2024-05-01/2024-05-05",    # 劳动节
            "2024-06-10",               # 端午节
            "2024-09-15/2024-09-17",    # 中秋节
            "2024-10-01/2024-10-07",    # 国庆节
        ],
        "workdays": ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
                     "2024-09-29", "2024-10-12"],
    },
    2025: {  # 国办发明电〔2024〕12号
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
    2026: {  # 国务院办公厅 2025年11月4日通知
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


KEYS = frozenset({"holidays", "workdays"})
FIRST_YEAR, LAST_YEAR = 1950, 2100  # lunar dates are computed for this range


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]  # years with an official arrangement (shipped or from the setting)


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarConfigError(f"WORKDAY_CALENDAR{where}：{value!r} 不是日期（应为 YYYY-MM-DD）")


def _expand(items: Any, where: str) -> set[date]:
    if isinstance(items, str | bytes) or not isinstance(items, list | tuple | set | frozenset):
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where} 应为日期列表，"
                                  f"如 [\"2027-01-01\", \"2027-02-05/2027-02-11\"]，而不是 {type(items).__name__}")
    days: set[date] = set()
    for item in items:
        if isinstance(item, str) and "/" in item:
            first, last = (_as_date(part, where) for part in item.split("/", 1))
            if last < first:
                raise CalendarConfigError(f"WORKDAY_CALENDAR{where}：区间 {item!r} 的结束日期早于开始日期")
            days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            days.add(_as_date(item, where))
    return days


def _year(key: Any) -> int:
    if isinstance(key, int) and not isinstance(key, bool):
        year = key
    elif isinstance(key, str) and key.strip().isdigit():
        year = int(key)
    else:
        raise CalendarConfigError(f"WORKDAY_CALENDAR 的键 {key!r} 不是年份（应为如 2027 的四位年份）")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarConfigError(f"WORKDAY_CALENDAR 的年份 {year} 超出支持范围（{FIRST_YEAR}–{LAST_YEAR}）")
    return year


def _year_days(year: int, spec: Any) -> tuple[set[date], set[date]]:
    where = f"[{year}]"
    if not isinstance(spec, Mapping):
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where} 应为形如 "
                                  f"{{\"holidays\": [...], \"workdays\": [...]}} 的字典，而不是 {type(spec).__name__}")
    unknown = sorted(str(key) for key in spec if key not in KEYS)
    if unknown:
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where} 含未知的键 {', '.join(unknown)}"
                                  "（只能是 holidays 放假日、workdays 调休上班日）")
    if not spec.get("holidays"):
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where} 缺少 holidays（该年的放假日期）")
    off = _expand(spec["holidays"], f"{where}[holidays]")
    on = _expand(spec.get("workdays", []), f"{where}[workdays]")
    stray = sorted(d for d in off | on if d.year != year)
    if stray:
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where}：{stray[0]} 不在 {year} 年")
    if off & on:
        raise CalendarConfigError(f"WORKDAY_CALENDAR{where}：{sorted(off & on)[0]} 既是放假日又是上班日")
    return off, on


def build_calendar(overrides: Any = None) -> Calendar:
    """The shipped years with ``overrides`` (the WORKDAY_CALENDAR setting's shape) applied.

    Raises CalendarConfigError, with a message for the operator, on anything malformed: a key that
    is not a year, a year that is not a dict, an unknown key (a misspelt ``holidays`` must not mark
    the year as configured), a value that is not a list, a bad date or range, a date of another year.
    """
    if overrides is None:
        overrides = {}
    if isinstance(overrides, str):  # the environment variable's JSON text
        try:
            overrides = json.loads(overrides) if overrides.strip() else {}
        except ValueError as exc:
            raise CalendarConfigError(f"WORKDAY_CALENDAR 不是有效的 JSON：{exc}") from None
    if not isinstance(overrides, Mapping):
        raise CalendarConfigError(f"WORKDAY_CALENDAR 应为以年份为键的字典（JSON 对象），而不是 "
                                  f"{type(overrides).__name__}")
    data: dict[int, Any] = dict(SHIPPED)
    given: set[int] = set()
    for key, spec in overrides.items():
        year = _year(key)
        if year in given:
            raise CalendarConfigError(f"WORKDAY_CALENDAR 重复给出了 {year} 年")
        given.add(year)
        data[year] = spec
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year, spec in data.items():
        off, on = _year_days(year, spec)
        holidays |= off
        workdays |= on
    return Calendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(data))


# --- Years without an arrangement: the statutory holidays -----------------------------------------------

STATUTE = "《全国年节及纪念日放假办法》（2024年11月10日修订，2025年1月1日起施行）"


@functools.lru_cache(maxsize=256)
def statutory_days_off(year: int) -> frozenset[date]:
    """The days off of a year for which no arrangement is published, per the statute in force.

    Article 2: 元旦 1 day (01-01), 春节 4 days (lunar New Year's Eve and the 1st–3rd of the first lunar
    month), 清明 1 day (the solar term's day), 劳动节 2 days (05-01, 05-02), 端午 1 day (5th of the 5th
    lunar month), 中秋 1 day (15th of the 8th lunar month), 国庆 3 days (10-01 … 10-03). Article 6: a
    holiday that falls on a Saturday or Sunday is given back on a working day (here the next weekday
    that is not already off). The State Council's yearly notice adds bridge days and make-up working
    weekends (调休) that no rule derives; those are not guessed. Lunar dates and the solar term come
    from ``lunar_python``.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return frozenset({date(year, 1, 1)})
    from lunar_python import Lunar

    new_year = Lunar.fromYmd(year, 1, 1).getSolar()
    spring = date(new_year.getYear(), new_year.getMonth(), new_year.getDay())
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days = {
        date(year, 1, 1),
        *(spring + timedelta(days=i) for i in range(-1, 3)),
        date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
        date(year, 5, 1), date(year, 5, 2),
        _lunar(year, 5, 5),
        _lunar(year, 8, 15),
        date(year, 10, 1), date(year, 10, 2), date(year, 10, 3),
    }
    off = set(days)
    for day in sorted(days):
        if day.weekday() >= 5:  # Article 6: given back on the next weekday not already off
            lieu = day + timedelta(days=1)
            while lieu.weekday() >= 5 or lieu in off:
                lieu += timedelta(days=1)
            off.add(lieu)
    return frozenset(off)


def _lunar(year: int, month: int, day: int) -> date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


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
    """Years with an official arrangement; any other year counts the statutory holidays only."""
    return calendar().years


def missing_years(today: date) -> list[int]:
    """Years that need an arrangement configured by ``today``: the current year if it has none, and
    from 1 November on (the State Council usually publishes in November) the next year too."""
    years = calendar().years
    wanted = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    return [year for year in wanted if year not in years]


def missing_message(years: Iterable[int], *, operator: bool = True) -> str:
    """The warning for ``missing_years``: for the operator (``check``) with what to do, or for the
    staff console with whom to ask."""
    listed = "、".join(f"{year}年" for year in years)
    text = f"尚未配置{listed}的节假日安排：其中的办理期限暂按{STATUTE}的法定节日计算，不含调休，可能与正式安排不同。"
    if not operator:
        return text + "国务院办公厅发布节假日安排后，请联系系统管理员更新。"
    return (text + "国务院办公厅发布后，请升级到包含该年数据的版本或配置 WORKDAY_CALENDAR，再运行 "
            "python -m gonghui appeals_recompute_deadlines --year 年份 重算未办结工单的办理期限。")


def is_workday(day: date) -> bool:
    cal = calendar()
    if day.year not in cal.years:
        return day.weekday() < 5 and day not in statutory_days_off(day.year)
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
