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


def test_it_ships_2025_and_2026() -> None:
    assert {2025, 2026} <= configured_years()


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


def test_it_treats_an_unconfigured_year_as_weekends_only() -> None:
    assert 2031 not in configured_years()
    assert is_workday(date(2031, 1, 1))  # a Wednesday: unknown holidays are not guessed
    assert not is_workday(date(2031, 1, 4))


def test_it_takes_extra_years_from_the_settings() -> None:
    extra = {2031: {"holidays": ["2031-01-01", "2031-01-22/2031-01-28"], "workdays": [date(2031, 1, 18)]}}
    with override_settings(WORKDAY_CALENDAR=extra):
        assert 2031 in configured_years()
        assert not is_workday(date(2031, 1, 1))
        assert not is_workday(date(2031, 1, 27))
        assert is_workday(date(2031, 1, 18))  # a Saturday
        assert add_workdays(date(2031, 1, 21), 1) == date(2031, 1, 29)
    assert is_workday(date(2031, 1, 1))  # back to the shipped data


def test_it_lets_the_settings_replace_a_shipped_year() -> None:
    with override_settings(WORKDAY_CALENDAR={"2026": {"holidays": ["2026-03-03"], "workdays": []}}):
        assert not is_workday(date(2026, 3, 3))
        assert not is_workday(date(2026, 2, 14))  # no longer a make-up day: a plain Saturday
        assert is_workday(date(2026, 2, 16))


@pytest.mark.parametrize("bad", [
    {2031: {"holidays": ["2031-13-01"]}},
    {2031: {"holidays": ["2031-02-10/2031-02-01"]}},
    {2031: {"holidays": ["2032-01-01"]}},
    {2031: {"holidays": ["2031-01-04"], "workdays": ["2031-01-04"]}},
])
def test_it_refuses_a_malformed_calendar(bad: dict) -> None:
    with pytest.raises(CalendarConfigError):
        build_calendar(bad)


def test_it_never_has_a_week_without_a_working_day_in_the_shipped_years() -> None:
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert any(is_workday(day + timedelta(days=i)) for i in range(10)), day
        day += timedelta(days=1)
