"""The console warns staff while the current or (from 1 November) the next year has no holiday
arrangement: deadlines in it count the statutory holidays only."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from gonghui.testing import Cast
from gonghui.web import context_processors

pytestmark = pytest.mark.django_db


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(context_processors, "timezone", SimpleNamespace(localdate=lambda: day))


def test_the_console_warns_about_a_year_without_an_arrangement(cast: Cast, settings, monkeypatch) -> None:
    _on(monkeypatch, date(2026, 12, 7))
    client = cast.client("district_a_officer")
    html = client.get("/console/").content.decode()
    assert "data-calendar-warning" in html and "尚未配置2027年的节假日安排" in html
    assert "请联系系统管理员" in html
    assert "data-calendar-warning" not in cast.client("worker_a").get("/").content.decode()  # not on the H5
    settings.WORKDAY_CALENDAR = {"2027": {"holidays": ["2027-01-01"]}}
    assert "data-calendar-warning" not in client.get("/console/").content.decode()


def test_the_console_is_quiet_before_november(cast: Cast, monkeypatch) -> None:
    _on(monkeypatch, date(2026, 10, 31))
    assert "data-calendar-warning" not in cast.client("district_a_officer").get("/console/").content.decode()
