"""The working-day calendar: weekends, the State Council's holidays and make-up working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from gonghui.lib.workdays import (
    CalendarConfigError,
    add_workdays,
    build_calendar,
    configured_years,
    is_workday,
    missing_years,
    statutory_days_off,
    workdays_between,
)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2025, 1, 1), False),    # 元旦, a Wednesday
    (date(2025, 1, 26), True),    # Sunday made a working day for 春节
    (date(2025, 1, 28), False),   # 除夕
    (date(2025, 2, 4), False),    # last day of 春节
    (date(2025, 2, 8), True),     # Saturday made a working day
    (date(2025, 9, 28), True),    # Sunday before 国庆
    (date(2025, 10, 8), False),   # 国庆/中秋, a Wednesday
    (date(2025, 10, 11), True),   # Saturday after 国庆
    (date(2026, 1, 2), False),    # 元旦 2026, a Friday
    (date(2026, 1, 4), True),     # Sunday made a working day
    (date(2026, 2, 14), True),    # Saturday before 春节
    (date(2026, 2, 23), False),   # Monday, last day of 春节
    (date(2026, 2, 28), True),    # Saturday after 春节
    (date(2026, 5, 9), True),     # Saturday after 劳动节
    (date(2026, 9, 25), False),   # 中秋节, a Friday
    (date(2026, 10, 10), True),   # Saturday after 国庆
    (date(2026, 3, 3), True),     # an ordinary Tuesday
    (date(2026, 3, 7), False),    # an ordinary Saturday
])
def test_it_knows_holidays_and_make_up_days(day: date, expected: bool) -> None:
    assert is_workday(day) is expected


def test_it_ships_2020_to_2026() -> None:
    assert set(range(2020, 2027)) <= configured_years()


def test_it_counts_across_the_spring_festival() -> None:
    friday = date(2026, 2, 13)
    assert add_workdays(friday, 1) == date(2026, 2, 14)  # the make-up Saturday
    assert add_workdays(friday, 2) == date(2026, 2, 24)  # then nine days off
    assert workdays_between(friday, date(2026, 2, 24)) == 2
    assert workdays_between(date(2026, 2, 24), friday) == -2
    assert add_workdays(date(2026, 2, 24), -2) == friday


def test_it_counts_an_ordinary_week() -> None:
    monday = date(2026, 3, 2)
    assert add_workdays(monday, 0) == monday
    assert add_workdays(monday, 4) == date(2026, 3, 6)
    assert add_workdays(monday, 5) == date(2026, 3, 9)  # over the weekend
    assert workdays_between(monday, monday) == 0
    assert workdays_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_it_round_trips_over_two_years() -> None:
    start = date(2025, 1, 1)
    for n in range(0, 500, 7):
        assert workdays_between(start, add_workdays(start, n)) == n


@pytest.mark.parametrize("year", range(2020, 2027))
def test_every_day_of_the_shipped_years_agrees_with_an_independent_source(year: int) -> None:
    # chinesecalendar (a development dependency only) keeps its own table of the State Council's notices.
    chinese_calendar = pytest.importorskip("chinese_calendar")
    assert year in configured_years()
    day, wrong = date(year, 1, 1), []
    while day.year == year:
        if is_workday(day) is not chinese_calendar.is_workday(day):
            wrong.append(day.isoformat())
        day += timedelta(days=1)
    assert wrong == []


def test_it_counts_the_national_day_holiday_of_2024() -> None:
    assert not any(is_workday(date(2024, 10, d)) for d in range(1, 8))
    assert is_workday(date(2024, 9, 29)) and is_workday(date(2024, 10, 12))  # make-up Sunday and Saturday


def test_an_unconfigured_year_gets_the_statutory_holidays() -> None:
    assert 2027 not in configured_years()
    # 2027: 元旦 Fri 01-01; 春节 除夕 Fri 02-05 … 初三 Mon 02-08, Sat and Sun given back on 02-09 and 02-10;
    # 清明 Mon 04-05; 劳动节 Sat 05-01 and Sun 05-02 given back on 05-03 and 05-04; 端午 Wed 06-09;
    # 中秋 Wed 09-15; 国庆 Fri 10-01 … Sun 10-03, the weekend given back on 10-04 and 10-05.
    off = {date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 11)), date(2027, 4, 5),
           *(date(2027, 5, d) for d in range(1, 5)), date(2027, 6, 9), date(2027, 9, 15),
           *(date(2027, 10, d) for d in range(1, 6))}
    assert statutory_days_off(2027) == off
    day = date(2027, 1, 1)
    while day.year == 2027:
        assert is_workday(day) is (day.weekday() < 5 and day not in off), day
        day += timedelta(days=1)
    assert not is_workday(date(2031, 1, 1))  # and so on for any year without an arrangement


def test_the_statutory_holidays_are_days_off_in_the_arrangements_under_the_revised_statute() -> None:
    # The arrangements of 2025 and 2026 were made under the statute the fallback follows: every
    # statutory day that is a weekday is off there too (checks the lunar dates and the solar term).
    for year in (2025, 2026):
        for day in statutory_days_off(year):
            assert not is_workday(day), day


def test_a_ticket_filed_before_new_year_is_due_after_the_holiday() -> None:
    # 2026-12-25 is a Friday; 2027-01-01 (Friday) is 元旦 even without the 2027 arrangement.
    assert add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)


@pytest.mark.parametrize(("today", "missing"), [
    (date(2026, 10, 31), []),
    (date(2026, 11, 1), [2027]),
    (date(2026, 12, 7), [2027]),
    (date(2027, 3, 1), [2027]),
    (date(2025, 11, 20), []),
])
def test_it_tells_which_years_still_need_an_arrangement(today: date, missing: list[int]) -> None:
    assert missing_years(today) == missing


def test_a_configured_year_is_no_longer_missing() -> None:
    with override_settings(WORKDAY_CALENDAR={"2027": {"holidays": ["2027-01-01"]}}):
        assert missing_years(date(2026, 12, 7)) == []
        assert is_workday(date(2027, 2, 8))  # the statutory fallback no longer applies


def test_it_takes_extra_years_from_the_settings() -> None:
    extra = {2031: {"holidays": ["2031-01-01", "2031-01-22/2031-01-28"], "workdays": [date(2031, 1, 18)]}}
    with override_settings(WORKDAY_CALENDAR=extra):
        assert 2031 in configured_years()
        assert not is_workday(date(2031, 1, 1))
        assert not is_workday(date(2031, 1, 27))
        assert is_workday(date(2031, 1, 18))  # a Saturday
        assert add_workdays(date(2031, 1, 21), 1) == date(2031, 1, 29)
    assert 2031 not in configured_years()  # back to the shipped data: the statutory holidays only
    assert not is_workday(date(2031, 1, 18))  # a plain Saturday again


def test_it_lets_the_settings_replace_a_shipped_year() -> None:
    with override_settings(WORKDAY_CALENDAR={"2026": {"holidays": ["2026-03-03"], "workdays": []}}):
        assert not is_workday(date(2026, 3, 3))
        assert not is_workday(date(2026, 2, 14))  # no longer a make-up day: a plain Saturday
        assert is_workday(date(2026, 2, 16))


@pytest.mark.parametrize(("bad", "says"), [
    ({2031: {"holidays": ["2031-13-01"]}}, "不是日期"),
    ({2031: {"holidays": ["2031-02-10/2031-02-01"]}}, "结束日期早于开始日期"),
    ({2031: {"holidays": ["2032-01-01"]}}, "不在 2031 年"),
    ({2031: {"holidays": ["2031-01-04"], "workdays": ["2031-01-04"]}}, "既是放假日又是上班日"),
    ({2031: {"holiday": ["2031-01-01"]}}, "未知的键 holiday"),
    ({2031: {"workdays": ["2031-01-04"]}}, "缺少 holidays"),
    ({2031: ["2031-01-01"]}, "应为形如"),
    ({2031: {"holidays": "2031-01-01"}}, "应为日期列表"),
    ({2031: {"holidays": [20310101]}}, "不是日期"),
    ([{"2031": {"holidays": ["2031-01-01"]}}], "以年份为键的字典"),
    ({"20x1": {"holidays": ["2031-01-01"]}}, "不是年份"),
    ({"2031": {"holidays": ["2031-01-01"]}, 2031: {"holidays": ["2031-01-02"]}}, "重复"),
    ('{"2031": {"holidays": ["2031-01-01"]', "不是有效的 JSON"),
])
def test_it_refuses_a_malformed_calendar(bad: object, says: str) -> None:
    with pytest.raises(CalendarConfigError, match=says):
        build_calendar(bad)


def test_it_reads_the_environment_variables_json() -> None:
    cal = build_calendar('{"2031": {"holidays": ["2031-01-01/2031-01-02"], "workdays": ["2031-01-04"]}}')
    assert 2031 in cal.years and date(2031, 1, 2) in cal.holidays and date(2031, 1, 4) in cal.workdays
    assert build_calendar("").years == build_calendar(None).years


def test_it_never_has_a_week_without_a_working_day_in_the_shipped_years() -> None:
    day = date(2020, 1, 1)
    while day.year < 2027:
        # ten days at most (2020's Spring Festival, extended to 02-02 for COVID-19, was the longest)
        assert any(is_workday(day + timedelta(days=i)) for i in range(11)), day
        day += timedelta(days=1)
