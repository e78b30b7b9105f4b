"""Background work of the benefits app. Tasks take ids, load rows, call a service, and are
idempotent (issuance skips members who already hold the campaign's coupon).

``BEAT_SCHEDULE`` is merged into settings.CELERY_BEAT_SCHEDULE by the integrator; without a broker
the same job runs as ``python -m gonghui benefits_issue`` (cron or a systemd timer).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import Campaign
from .services import campaigns


@shared_task(ignore_result=True)
def issue_campaign_task(campaign_id: int, trigger: str, actor_id: int | None = None) -> int:
    """免申即享 issuance of one campaign (queued by campaign_launch after its commit)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = campaigns.campaign_issue(campaign=campaign, trigger=trigger, actor=actor)
    return run.issued if run else 0


@shared_task(ignore_result=True)
def issue_pending_task() -> int:
    """Periodic: newly eligible members of open 免申即享 campaigns get theirs; expired campaigns end."""
    return campaigns.issue_pending()


BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "benefits-issue-pending": {"task": "gonghui.benefits.tasks.issue_pending_task", "schedule": 30 * 60},
}
