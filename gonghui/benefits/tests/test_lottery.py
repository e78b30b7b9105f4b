"""抽奖: a draw from the rule's pool with a recorded seed that anyone can re-run, once; the public
公示 page with masked names; the member's results; staff 复核."""

from __future__ import annotations

import random

import pytest
from django.test import TestCase

from gonghui.benefits.models import Lottery, LotteryStatus, Winner
from gonghui.benefits.services import lotteries
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog, Job, JobStatus, Notification
from gonghui.testing import Cast

from .conftest import JSON, new_member

pytestmark = pytest.mark.django_db


def make_lottery(cast: Cast, **overrides: object) -> Lottery:
    data = {"name": "职工运动会幸运抽奖", "rule": {}, "prizes": [("一等奖", 1), ("二等奖", 2)], **overrides}
    return lotteries.lottery_create(actor=cast.district_a_officer, union=cast.district_a, **data)


def test_it_draws_reproducibly_and_announces_masked_winners(cast: Cast) -> None:
    for _ in range(6):
        new_member(cast.district_a, with_user=True)
    lottery = make_lottery(cast)
    lotteries.lottery_draw(actor=cast.district_a_officer, lottery=lottery, seed="2026-seed")
    lottery = Lottery.objects.get(pk=lottery.pk)
    assert lottery.status == LotteryStatus.DRAWN and lottery.seed == "2026-seed"
    # the pool: current members of district A's subtree, by key (worker_a, gig_worker_a, provider + 6)
    assert lottery.pool_size == 9 and lottery.pool_ids == sorted(lottery.pool_ids)
    winners = list(Winner.objects.filter(lottery=lottery).select_related("prize", "member").order_by("rank"))
    assert [w.prize.name for w in winners] == ["一等奖", "二等奖", "二等奖"]
    # anyone can re-run it from the seed and the pool size alone
    entries = list(range(1, 10))
    random.Random("2026-seed").shuffle(entries)
    assert [w.entry_no for w in winners] == entries[:3]
    assert [w.member_id for w in winners] == [lottery.pool_ids[e - 1] for e in entries[:3]]
    assert lotteries.lottery_verify(lottery) is True
    # the snippet on the page runs and prints the same numbers
    scope: dict[str, object] = {}
    printed: list[object] = []
    exec(lotteries.replay_snippet(lottery), {"print": printed.append}, scope)  # noqa: S102 - our own snippet
    assert printed == [entries[:3]]

    page = cast.client(None).get(f"/benefits/lotteries/{lottery.uuid}/")  # public
    text = page.content.decode()
    assert page.status_code == 200 and "2026-seed" in text and lottery.pool_digest in text
    for w in winners:
        assert w.member.name not in text and w.member.name[0] + "*" in text
    api = cast.client(None, api=True).get(f"/api/v1/benefits/lotteries/{lottery.uuid}/announcement").json()
    assert [w["entry_no"] for w in api["winners"]] == entries[:3] and all("*" in w["name"] for w in api["winners"])
    notified = Notification.objects.filter(title__startswith="恭喜您在「职工运动会幸运抽奖」").count()
    assert notified == sum(1 for w in winners if w.member.user_id)
    assert AuditLog.objects.filter(action="lottery.draw", object_key=str(lottery.uuid)).exists()


def test_it_draws_once_and_detects_tampering(cast: Cast) -> None:
    lottery = make_lottery(cast)
    lotteries.lottery_draw(actor=cast.district_a_officer, lottery=lottery)
    with pytest.raises(Conflict):
        lotteries.lottery_draw(actor=cast.district_a_officer, lottery=lottery)
    lottery = Lottery.objects.get(pk=lottery.pk)
    assert len(lottery.seed) == 32  # 128 bits from secrets
    Winner.objects.filter(lottery=lottery, rank=1).update(entry_no=99)
    assert lotteries.lottery_verify(lottery) is False
    with pytest.raises(Conflict, match="已开奖的抽奖不能修改"):
        lotteries.lottery_update(actor=cast.district_a_officer, lottery=lottery, name="改", prizes=[("一等奖", 1)])


def test_it_checks_prizes_and_pools(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="请至少设置一个奖项"):
        make_lottery(cast, prizes=[("", 0)])
    with pytest.raises(ValidationFailed, match="重复"):
        make_lottery(cast, prizes=[("一等奖", 1), ("一等奖", 2)])
    nobody = make_lottery(cast, rule={"hardship_levels": ["extreme"]})
    with pytest.raises(Conflict, match="没有符合参与条件的会员"):
        lotteries.lottery_draw(actor=cast.district_a_officer, lottery=nobody)
    # more prizes than people: everyone wins, later prizes stay partly empty
    few = make_lottery(cast, rule={"model_worker_levels": ["national"]}, prizes=[("一等奖", 1), ("二等奖", 5)])
    lotteries.lottery_draw(actor=cast.district_a_officer, lottery=few)
    assert list(Winner.objects.filter(lottery=few).values_list("member", flat=True)) == [cast.members["provider"].pk]


def test_it_shows_members_their_results(cast: Cast) -> None:
    lottery = make_lottery(cast, rule={"model_worker_levels": ["national"]}, prizes=[("特别奖", 1)])
    lotteries.lottery_draw(actor=cast.district_a_officer, lottery=lottery)
    page = cast.client("provider").get("/benefits/lotteries/").content.decode()
    assert "职工运动会幸运抽奖" in page and "恭喜！您获得特别奖" in page
    mine = cast.client("worker_a", api=True).get("/api/v1/benefits/lotteries/mine").json()
    assert [(m["name"], m["won"]) for m in mine] == [("职工运动会幸运抽奖", None)]
    assert cast.client("worker_b", api=True).get("/api/v1/benefits/lotteries/mine").json() == []


def test_it_runs_the_lottery_from_the_console_and_api(cast: Cast) -> None:
    officer = cast.client("district_a_officer")
    created = officer.post("/console/benefits/lotteries/new/", {
        "union": str(cast.district_a.uuid), "name": "三八节抽奖", "description": "", "women_only": "",
        "prize_name": ["一等奖", "二等奖", ""], "prize_count": ["1", "2", ""]})
    assert created.status_code == 302, created.content.decode()[:2000]
    lottery = Lottery.objects.get(name="三八节抽奖")
    assert [(p.name, p.count) for p in lottery.prizes.all()] == [("一等奖", 1), ("二等奖", 2)]
    detail = officer.get(created["Location"]).content.decode()
    assert "参与人数预览" in detail and "开奖" in detail
    api = cast.client("district_a_officer", api=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        drawn = api.post(f"/api/v1/benefits/lotteries/{lottery.uuid}/draw", content_type=JSON)
    assert drawn.status_code == 202 and drawn.json()["kind"] == "benefits.lottery_draw", drawn.content
    job = api.get(drawn.json()["url"]).json()
    assert job["status"] == "done" and job["message"] == "已开奖：3 名会员参与，3 人中奖，名单已公示并通知中奖会员"
    got = api.get(f"/api/v1/benefits/lotteries/{lottery.uuid}").json()
    assert got["status"] == "drawn" and got["pool_size"] == 3
    again = api.post(f"/api/v1/benefits/lotteries/{lottery.uuid}/draw", content_type=JSON)
    assert again.status_code == 409 and again.json()["message"] == "该抽奖已开奖"
    assert api.get(f"/api/v1/benefits/lotteries/{lottery.uuid}/verify").json() == {"consistent": True}
    verified = officer.post(f"/console/benefits/lotteries/{lottery.uuid}/verify/", follow=True)
    assert "复核一致" in verified.content.decode()
    assert len(api.get(f"/api/v1/benefits/lotteries/{lottery.uuid}/winners").json()) == 3


def test_it_draws_in_the_worker_once_whatever_is_clicked(cast: Cast) -> None:
    """开奖 from the console: the job page lands on the drawn lottery; a second click while the job is
    queued answers the same job, and a job run again after a worker died reports the draw it made."""
    lottery = make_lottery(cast)
    officer = cast.client("district_a_officer")
    first = officer.post(f"/console/benefits/lotteries/{lottery.uuid}/draw/")
    second = officer.post(f"/console/benefits/lotteries/{lottery.uuid}/draw/")
    assert first["Location"] == second["Location"] and first["Location"].endswith("?land=1")
    job = Job.objects.get(kind="benefits.lottery_draw")
    assert job.status == JobStatus.QUEUED and Lottery.objects.get(pk=lottery.pk).status == LotteryStatus.DRAFT
    from gonghui.core import jobs

    assert jobs.run(job.pk) == "done"
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN and lottery.winners.count() == 3
    landed = officer.get(first["Location"])
    assert landed.status_code == 302 and landed["Location"] == f"/console/benefits/lotteries/{lottery.uuid}/"
    done = f"「开奖：{lottery.name}」已完成"
    assert Notification.objects.filter(recipient=cast.district_a_officer, title=done).exists()
    # the worker died after the draw committed: the job runs again and reports, never draws twice
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, attempts=1)
    assert jobs.run(job.pk) == "done" and lottery.winners.count() == 3
    assert AuditLog.objects.filter(action="lottery.draw").count() == 1
    refused = officer.post(f"/console/benefits/lotteries/{lottery.uuid}/draw/", follow=True)
    assert "该抽奖已开奖" in refused.content.decode() and Job.objects.count() == 1


def test_it_fails_a_draw_with_nobody_eligible_in_chinese(cast: Cast) -> None:
    lottery = make_lottery(cast, rule={"hardship_levels": ["extreme"]})
    api = cast.client("district_a_officer", api=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = api.post(f"/api/v1/benefits/lotteries/{lottery.uuid}/draw", content_type=JSON).json()
    job = api.get(started["url"]).json()
    assert job["status"] == "failed" and job["message"] == "没有符合参与条件的会员，无法开奖"
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAFT and not lottery.winners.exists() and lottery.seed == ""
