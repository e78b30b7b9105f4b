"""System checks: a malformed WORKDAY_CALENDAR fails ``check``; a year without an arrangement warns
from 1 November of the year before."""

from __future__ import annotations

from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gonghui.lib import checks


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(checks, "timezone", SimpleNamespace(localdate=lambda: day))


@pytest.mark.parametrize(("value", "says"), [
    ({"2027": {"holidays": ["2027-02-30"]}}, "'2027-02-30' 不是日期"),
    ({"2027": {"holiday": ["2027-01-01"]}}, "未知的键 holiday"),
    ({"2027": ["2027-01-01"]}, "应为形如"),
    ([["2027-01-01"]], "以年份为键的字典"),
    ('{"2027": ', "不是有效的 JSON"),
])
def test_check_fails_on_a_malformed_calendar(settings, value: object, says: str) -> None:
    settings.WORKDAY_CALENDAR = value
    [error] = checks.calendar_check()
    assert error.id == "workdays.E001" and says in error.msg
    with pytest.raises(SystemCheckError, match="workdays.E001"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_check_warns_from_november_about_next_year(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _on(monkeypatch, date(2026, 10, 31))
    assert checks.calendar_check() == []
    _on(monkeypatch, date(2026, 12, 7))
    [warning] = checks.calendar_check()
    assert warning.id == "workdays.W001" and "2027年" in warning.msg and "appeals_recompute_deadlines" in warning.msg
    out = StringIO()
    call_command("check", stdout=out, stderr=out)  # a warning, not an error
    settings.WORKDAY_CALENDAR = {"2027": {"holidays": ["2027-01-01"]}}
    assert checks.calendar_check() == []
