"""抽奖: prizes drawn among the members a rule selects, reproducibly.

The draw:

1. the pool is every member the rule selects at the moment of the draw, ordered by member key, and
   numbered 1…N (参与编号); the keys are kept with the lottery (``pool_ids``) and their SHA-256
   digest is published;
2. a random seed is drawn from the operating system and recorded;
3. ``random.Random(seed)`` shuffles the list 1…N; the first numbers win, the first prize first.

Step 3 needs only the seed and N, both on the public announcement (公示), so anyone can re-run it with
a few lines of Python and get the same winning numbers; ``lottery_verify`` re-runs it against the
recorded pool for staff.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.lib.text import clean_line
from gonghui.members.models import Member
from gonghui.unions.models import Union

from ..models import Lottery, LotteryStatus, Prize, Winner
from ..rules import check_rule, parse_rule, rule_queryset, rule_summary

if TYPE_CHECKING:
    from gonghui.accounts.models import User
    from gonghui.core.models import Job

MAX_PRIZES = 20
MAX_WINNERS = 10_000

REPLAY_SNIPPET = """import random
entries = list(range(1, {n} + 1))
random.Random("{seed}").shuffle(entries)
print(entries[:{k}])  # 中奖的参与编号，依次对应各奖项"""



def _description(value: str | None) -> str:
    """The lottery's description: too long is an error naming the field, never a silent cut."""
    return clean_text(value, field="description", label="抽奖说明", max_length=2000, required=False, multiline=True)

def _clean_prizes(prizes: list[tuple[str, int]]) -> list[tuple[str, int]]:
    clean: list[tuple[str, int]] = []
    for name, count in prizes:
        name = clean_line(name)
        if not name and not count:
            continue
        name = clean_text(name, field="prizes", label="奖项名称", max_length=60, too_long="奖项名称过长")
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise ValidationFailed("请填写奖项名额", detail={"prizes": "请填写名额"}) from None
        if not 1 <= count <= MAX_WINNERS:
            raise ValidationFailed(f"每个奖项名额应在1到{MAX_WINNERS}之间", detail={"prizes": "名额超出范围"})
        if any(name == n for n, _ in clean):
            raise ValidationFailed(f"奖项「{name}」重复", detail={"prizes": "奖项重复"})
        clean.append((name, count))
    if not clean:
        raise ValidationFailed("请至少设置一个奖项", detail={"prizes": "请设置奖项"})
    if len(clean) > MAX_PRIZES or sum(c for _, c in clean) > MAX_WINNERS:
        raise ValidationFailed(f"最多{MAX_PRIZES}个奖项、{MAX_WINNERS}个名额", detail={"prizes": "奖项过多"})
    return clean


def lottery_create(*, actor: User, union: Union, name: str, description: str = "", rule: dict[str, Any] | None = None,
                   prizes: list[tuple[str, int]]) -> Lottery:
    """A lottery (not drawn yet) with its prizes in order. Preconditions: ``union`` came through
    access_union_for_work."""
    name = clean_text(name, field="name", label="名称", max_length=60, too_long="名称过长")
    parsed = check_rule(parse_rule(rule or {}), union=union)
    clean_prizes = _clean_prizes(prizes)
    with transaction.atomic():
        lottery = Lottery.objects.create(union=union, name=name, description=_description(description),
                                         rule=parsed.as_json(), rule_summary=rule_summary(parsed, union=union),
                                         created_by=actor if getattr(actor, "pk", None) else None)
        Prize.objects.bulk_create([Prize(lottery=lottery, name=n, count=c, position=i)
                                   for i, (n, c) in enumerate(clean_prizes)])
        audit.record("lottery.create", actor=actor, obj=lottery,
                     detail={"rule": lottery.rule, "prizes": clean_prizes})
    return lottery


def lottery_update(*, actor: User, lottery: Lottery, name: str, description: str = "",
                   rule: dict[str, Any] | None = None, prizes: list[tuple[str, int]]) -> Lottery:
    """Change a lottery before the draw (name, rule, prizes). Preconditions: gated with write=True."""
    if lottery.status != LotteryStatus.DRAFT:
        raise Conflict("已开奖的抽奖不能修改")
    name = clean_text(name, field="name", label="名称", max_length=60, too_long="名称过长")
    parsed = check_rule(parse_rule(rule or {}), union=lottery.union)
    clean_prizes = _clean_prizes(prizes)
    with transaction.atomic():
        changes = {"name": name, "description": _description(description), "rule": parsed.as_json(),
                   "rule_summary": rule_summary(parsed, union=lottery.union)}
        transition(lottery, from_=[LotteryStatus.DRAFT], changes=changes, stamp=None, message="已开奖的抽奖不能修改")
        lottery.prizes.all().delete()
        Prize.objects.bulk_create([Prize(lottery=lottery, name=n, count=c, position=i)
                                   for i, (n, c) in enumerate(clean_prizes)])
        audit.record("lottery.update", actor=actor, obj=lottery,
                     detail={"rule": lottery.rule, "prizes": clean_prizes})
    return lottery


def pool_digest(pool: list[int]) -> str:
    return hashlib.sha256(",".join(str(pk) for pk in pool).encode()).hexdigest()


def draw_order(seed: str, size: int) -> list[int]:
    """The participants' numbers 1…size in the order the seed draws them (the published recipe)."""
    entries = list(range(1, size + 1))
    random.Random(seed).shuffle(entries)  # noqa: S311 - reproducible by design; the seed is from secrets
    return entries


def assign(prizes: list[Prize], order: list[int], pool: list[int]) -> list[tuple[Prize, int, int, int]]:
    """(prize, member id, entry number, rank) for the winners, the first prize first."""
    result: list[tuple[Prize, int, int, int]] = []
    rank = 0
    for prize in prizes:
        for _ in range(prize.count):
            if rank >= len(order):
                return result
            entry = order[rank]
            rank += 1
            result.append((prize, pool[entry - 1], entry, rank))
    return result


def lottery_draw(*, actor: User, lottery: Lottery, seed: str | None = None) -> Lottery:
    """开奖: draft → drawn, once. Records the seed, the pool and the winners; tells the winners.

    Preconditions: gated with write=True. ``seed`` is for tests; otherwise 128 bits from secrets.
    Raises Conflict when already drawn or nobody is eligible.
    """
    if lottery.status != LotteryStatus.DRAFT:
        raise Conflict("该抽奖已开奖")
    prizes = list(lottery.prizes.all())
    if not prizes:
        raise ValidationFailed("请先设置奖项")
    now = timezone.now()
    seed = seed or secrets.token_hex(16)
    with transaction.atomic():
        # Lock first, so two clicks on 开奖 cannot both build a pool and draw.
        locked = Lottery.objects.select_for_update().filter(pk=lottery.pk, status=LotteryStatus.DRAFT).first()
        if locked is None:
            raise Conflict("该抽奖已开奖")
        pool = list(rule_queryset(lottery.rule, union=lottery.union, on=timezone.localdate())
                    .order_by("pk").values_list("pk", flat=True))
        if not pool:
            raise Conflict("没有符合参与条件的会员，无法开奖")
        winners = assign(prizes, draw_order(seed, len(pool)), pool)
        digest = pool_digest(pool)
        transition(lottery, to=LotteryStatus.DRAWN, from_=[LotteryStatus.DRAFT], stamp=None,
                   changes={"seed": seed, "pool_size": len(pool), "pool_digest": digest, "pool_ids": pool,
                            "drawn_at": now, "drawn_by": actor if getattr(actor, "pk", None) else None},
                   message="该抽奖已开奖", history=lambda before: _record_winners(lottery, winners),
                   audit="lottery.draw", actor=actor,
                   detail={"seed": seed, "pool_size": len(pool), "pool_digest": digest, "winners": len(winners)})
        url = reverse("benefits:announcement", args=[lottery.uuid])
        users = dict(Member.objects.filter(pk__in=[m for _, m, _, _ in winners], user__isnull=False)
                     .values_list("pk", "user"))
        from gonghui.accounts.models import User

        accounts = User.objects.in_bulk(list(users.values()))
        for prize, member_id, _, _ in winners:
            user = accounts.get(users.get(member_id))
            if user is not None:
                notify(user, f"恭喜您在「{lottery.name}」中获得{prize.name}",
                       f"开奖结果已公示。请留意{lottery.union.name}的领奖通知。", url=url)
        events.publish("benefits.lottery_drawn", lottery_id=lottery.pk, winners=len(winners))
    return lottery


def lottery_draw_start(*, actor: User, lottery: Lottery) -> Job:
    """Ask the worker to draw (开奖 from the console or the API); returns the job, whose page lands on
    the lottery when it is done. Idempotent: while a draw of this lottery is queued or running, that
    job is returned instead of a second one. The draw itself (``lottery_draw``) stays one
    transaction under a row lock, so a repeated or re-run job can never draw twice.

    Preconditions: gated with write=True. Raises Conflict when already drawn, ValidationFailed when
    the lottery has no prizes."""
    from gonghui.core import jobs
    from gonghui.core.models import Job, JobStatus

    if lottery.status != LotteryStatus.DRAFT:
        raise Conflict("该抽奖已开奖")
    if not lottery.prizes.exists():
        raise ValidationFailed("请先设置奖项")
    subject = f"benefits.lottery:{lottery.uuid}"
    with transaction.atomic():
        # One draft lottery row locked: two clicks at once queue one job.
        Lottery.objects.select_for_update().filter(pk=lottery.pk).first()
        running = Job.objects.filter(subject=subject, kind="benefits.lottery_draw",
                                     status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
        if running is not None:
            return running
        return jobs.job_start(kind="benefits.lottery_draw", title=f"开奖：{lottery.name}"[:120], owner=actor,
                              union=lottery.union, subject=subject, params={"lottery_id": lottery.pk},
                              result_url=reverse("benefits:lottery_detail", args=[lottery.uuid]))


def _record_winners(lottery: Lottery, winners: list[tuple[Prize, int, int, int]]) -> None:
    try:
        Winner.objects.bulk_create([Winner(lottery=lottery, prize=p, member_id=m, entry_no=e, rank=r)
                                    for p, m, e, r in winners])
    except IntegrityError:  # pragma: no cover - the pool has distinct members
        raise Conflict("开奖失败，请重试") from None


def lottery_verify(lottery: Lottery) -> bool:
    """复核: re-run the draw from the recorded seed and pool; True when it gives the recorded winners."""
    if lottery.status != LotteryStatus.DRAWN:
        return False
    pool = Lottery.objects.filter(pk=lottery.pk).values_list("pool_ids", flat=True).get()
    if pool_digest(pool) != lottery.pool_digest or len(pool) != lottery.pool_size:
        return False
    expected = [(p.pk, m, e, r) for p, m, e, r in assign(list(lottery.prizes.all()), draw_order(lottery.seed,
                                                                                              len(pool)), pool)]
    recorded = list(lottery.winners.order_by("rank").values_list("prize_id", "member_id", "entry_no", "rank"))
    return expected == recorded


def replay_snippet(lottery: Lottery) -> str:
    winners = lottery.winners.count()
    return REPLAY_SNIPPET.format(n=lottery.pool_size or 0, seed=lottery.seed, k=winners)
