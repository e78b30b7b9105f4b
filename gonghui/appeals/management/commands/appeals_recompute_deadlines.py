"""``python -m gonghui appeals_recompute_deadlines --year 2027 [--year 2028]``: re-date the open 12351
tickets after a year's official holiday arrangement was loaded (see gonghui.lib.workdays)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.lib import workdays

from ...services.deadlines import recompute_deadlines


class Command(BaseCommand):
    help = "节假日安排更新后，按新的工作日历重算未办结工单的办理期限（每件记入办理记录，可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", required=True,
                            help="新配置了节假日安排的年份，可重复给出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            configured = workdays.configured_years()
        except workdays.CalendarConfigError as exc:
            raise CommandError(str(exc)) from None
        years = sorted(set(options["year"]))
        missing = [year for year in years if year not in configured]
        if missing:
            raise CommandError(f"{'、'.join(map(str, missing))}年尚未配置节假日安排，请先配置 WORKDAY_CALENDAR")
        changed = recompute_deadlines(years)
        for ticket in changed:
            self.stdout.write(f"{ticket.number}：办理期限调整为 {ticket.due_on:%Y-%m-%d}")
        self.stdout.write(f"共调整 {len(changed)} 件")
