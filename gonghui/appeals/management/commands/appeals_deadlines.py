"""``python -m gonghui appeals_deadlines [--date YYYY-MM-DD]``: the 12351 deadline job without Celery beat."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services.deadlines import deadline_sweep


class Command(BaseCommand):
    help = "12351诉求办理期限检查：临期提醒、超期标记并自动上报上级工会（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按指定日期检查（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        self.stdout.write(str(deadline_sweep(today=today)))
