"""``python -m gonghui activity_reminders``: send the day-before reminders (run every 15 minutes
without Celery beat, e.g. from cron). Each sign-up is reminded once however often it runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...services import signup_remind_due


class Command(BaseCommand):
    help = "提醒24小时内开始的活动的已报名会员（每人每个活动只提醒一次）。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"已发送活动提醒 {signup_remind_due()} 条")
