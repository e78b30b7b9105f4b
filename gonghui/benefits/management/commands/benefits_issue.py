"""``python -m gonghui benefits_issue``: the periodic 免申即享 job without Celery beat (cron it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gonghui.benefits.services.campaigns import issue_pending


class Command(BaseCommand):
    help = "免申即享补发：向新符合条件的会员发放进行中活动的券，并结束已过截止日期的活动（可重复执行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        issued = issue_pending()
        self.stdout.write(f"已补发 {issued} 张券")
