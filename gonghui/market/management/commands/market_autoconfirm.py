"""``python -m gonghui market_autoconfirm``: 签收 deliveries unconfirmed for 7 days (run hourly without Celery beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...services.orders import AUTO_CONFIRM_DAYS, orders_autoconfirm


class Command(BaseCommand):
    help = f"自动签收服务完成后{AUTO_CONFIRM_DAYS}天仍未确认的云集市订单。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=AUTO_CONFIRM_DAYS,
                            help=f"未确认天数（默认 {AUTO_CONFIRM_DAYS}）")

    def handle(self, *args: Any, **options: Any) -> None:
        count = orders_autoconfirm(days=max(options["days"], 1))
        self.stdout.write(f"已自动签收 {count} 个订单")
