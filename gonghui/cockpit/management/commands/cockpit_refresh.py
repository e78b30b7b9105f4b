"""``python -m gonghui cockpit_refresh [--full] [--day YYYY-MM-DD …]``: recount the cockpit's statistics.

For the embedded default (no Celery beat), run it from cron, e.g. every 10 minutes; with Celery the
beat schedule runs the same refresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import RefreshKind
from ...services import stats_refresh


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "刷新驾驶舱统计：当前数据、最近35天及有变动的日期（首次运行或组织树变化时全量重建）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="全量重建全部历史统计")
        parser.add_argument("--day", action="append", default=[], help="另外重算的日期（YYYY-MM-DD，可重复）")
        parser.add_argument("--only-days", action="store_true",
                            help="不重算最近35天，只重算 --day 指定的日期和有变动的日期（当前数字总会重算）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = [_day(text) for text in options["day"]]
        run = stats_refresh(kind=RefreshKind.FULL if options["full"] else RefreshKind.SCHEDULED, full=options["full"],
                            days=days, window=not options["only_days"])
        span = f"{run.first_day} 至 {run.last_day}" if run.first_day else "无"
        self.stdout.write(self.style.SUCCESS(
            f"{run.get_kind_display()}完成：重算 {run.days} 天（{span}），"
            f"写入 {run.rows} 行，用时 {run.seconds:.1f} 秒"))
