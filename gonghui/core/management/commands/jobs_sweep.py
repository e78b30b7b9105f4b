"""``python -m gonghui jobs_sweep``: send background jobs the broker never got, retry stalled ones
(beat runs the same every minute; idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gonghui.core import jobs


class Command(BaseCommand):
    help = "Send queued background jobs again and retry stalled ones."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = jobs.sweep()
        self.stdout.write(f"jobs sent: {sent}")
