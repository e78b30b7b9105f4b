"""Background work of the benefits app. Tasks take ids, load rows, call a service, and are
idempotent (issuance skips members who already hold the campaign's coupon).

``BEAT_SCHEDULE`` is merged into settings.CELERY_BEAT_SCHEDULE by the integrator; without a broker
the same job runs as ``python -m gonghui benefits_issue`` (cron or a systemd timer).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from gonghui.core import jobs
from gonghui.core.models import Job

from .models import Campaign, Lottery
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


@jobs.handler("benefits.campaign_issue")
def issue_campaign_job(job: Job) -> jobs.Outcome:
    """免申即享 issuance after a launch, as a job with a result (campaign_launch starts it)."""
    campaign = Campaign.objects.filter(pk=job.params.get("campaign_id")).first()
    if campaign is None:
        raise jobs.JobFailed("该活动已不存在")
    jobs.report(0, 1)
    run = campaigns.campaign_issue(campaign=campaign, trigger=job.params.get("trigger", "launch"), actor=job.owner)
    issued = run.issued if run else 0
    jobs.report(1, 1)
    summary = f"已向 {issued} 名符合条件的会员发放券" if issued else "没有需要发放的会员（都已持有或预算已用完）"
    return jobs.Outcome(summary=summary, data={"issued": issued})


@jobs.handler("benefits.lottery_draw")
def lottery_draw_job(job: Job) -> jobs.Outcome:
    """开奖 as a job (started by ``lottery_draw_start`` from the console or the API). The draw is one
    transaction, once: a run after a worker died finds the lottery drawn by the last attempt (its
    transaction had committed) and reports that draw instead of failing."""
    from .models import LotteryStatus
    from .services.lotteries import lottery_draw

    lottery = Lottery.objects.select_related("union").filter(pk=job.params.get("lottery_id")).first()
    if lottery is None:
        raise jobs.JobFailed("该抽奖已不存在")
    jobs.report(0, 1)
    if not (job.attempts > 1 and lottery.status == LotteryStatus.DRAWN):
        lottery_draw(actor=job.owner, lottery=lottery)
        lottery.refresh_from_db()
    jobs.report(1, 1)
    winners = lottery.winners.count()
    return jobs.Outcome(summary=f"已开奖：{lottery.pool_size} 名会员参与，{winners} 人中奖，名单已公示并通知中奖会员",
                        data={"pool_size": lottery.pool_size, "winners": winners})


@shared_task(ignore_result=True)
def issue_pending_task() -> int:
    """Periodic: newly eligible members of open 免申即享 campaigns get theirs; expired campaigns end."""
    return campaigns.issue_pending()


BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "benefits-issue-pending": {"task": "gonghui.benefits.tasks.issue_pending_task", "schedule": 30 * 60},
}
