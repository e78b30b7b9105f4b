"""System checks of the settings gonghui.lib reads (run by ``python -m gonghui check``, ``migrate``
and ``runserver``, and by ``.ci/run``).

* ``workdays.E001`` — WORKDAY_CALENDAR is malformed: the deadlines would otherwise be wrong or the
  first page that counts working days would fail;
* ``workdays.W001`` — the current year, or from 1 November the next one, has no official holiday
  arrangement: deadlines in it count only the statutory holidays.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils import timezone

from . import workdays


def calendar_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        workdays.calendar()
    except workdays.CalendarConfigError as exc:
        return [checks.Error(str(exc), hint="WORKDAY_CALENDAR 的格式见 docs/configuration.md", id="workdays.E001")]
    missing = workdays.missing_years(timezone.localdate())
    if missing:
        return [checks.Warning(workdays.missing_message(missing), id="workdays.W001")]
    return []


def register() -> None:
    checks.register(calendar_check, "gonghui")
