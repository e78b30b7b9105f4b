"""``python -m gonghui roster_sweep``: expire abandoned roster imports (run daily without Celery beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...services.roster import roster_sweep


class Command(BaseCommand):
    help = "作废超过24小时未完成的花名册导入，并删除其待导入数据。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"已作废 {roster_sweep()} 次导入")
