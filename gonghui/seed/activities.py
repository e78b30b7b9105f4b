"""活动: activities hosted by unions of every level, their sign-ups, waitlists, check-ins and ratings,
as the activity services leave them.

Activities follow the demo's templates (文体, 送温暖, 技能培训, 联谊, 志愿服务 …) with their audience
rules (gig workers, women, model workers, ages). Most lie in the past — concluded with a summary,
some ended without one, a few called off — the rest are coming: open for sign-up, not open yet,
drafts. Sign-ups are replayed in time order: a place while there is one (已报名), else the waitlist
(候补); a member who cancels before the start frees the place for the head of the waitlist
(递补). After the start most confirmed members check in (签到); the rest are no-shows. A cancelled
activity cancelled every live sign-up.

``Activity.taken`` is the places held (confirmed and checked in), never above the quota; a member
has at most one sign-up per activity; participants (the cockpit's 活动参与) are the check-ins.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import StaffAssignment, User
from gonghui.activities import demo as activities_demo
from gonghui.activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    CheckinMethod,
    Rating,
    Signup,
    SignupEvent,
    SignupStatus,
)
from gonghui.core.scope import WRITE_ROLES
from gonghui.members.models import Member
from gonghui.unions.models import Brand, Union, UnionLevel

from .base import LEISURE_WEEK, Clock, Progress, SeedError, Weighted, Writer, apportion, insert, stream, with_ids
from .pool import CURRENT, GIG, MODEL, WOMAN, MemberPool
from .tree import Node, Tree

# --- What activities there are (the demo's and the benchmark's) ------------------------------------------------


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    brand: str  # a sub-brand of the demo's brand matrix
    place: str
    quota: tuple[int, int]
    description: str
    rules: dict[str, Any] = field(default_factory=dict)
    hours: float = 2.5
    months: frozenset[int] = frozenset()  # the months it is held in (empty: any); 夏送清凉 is not held in December
    outdoor: bool = False  # held in daylight: never an evening start

    def fits(self, day: datetime) -> bool:
        return not self.months or timezone.localtime(day).month in self.months


TEMPLATES: tuple[Template, ...] = (
    Template(ActivityKind.CULTURE, "职工气排球联赛", "职工运动会", "{where}全民健身中心", (40, 80),
             "以单位为单位组队报名，每队8人，赛程两天。请穿运动鞋，自备饮用水。"),
    Template(ActivityKind.CULTURE, "“书香工会”职工读书分享会", "职工书屋", "{where}职工书屋", (20, 40),
             "分享一本近期读过的好书，现场赠送图书。"),
    Template(ActivityKind.CULTURE, "职工合唱团新年音乐会", "职工合唱团", "{where}工人文化宫", (80, 200),
             "职工合唱团汇报演出，欢迎会员及家属观看，凭签到入场。", hours=2, months=frozenset({12, 1})),
    Template(ActivityKind.CULTURE, "职工摄影作品展暨采风活动", "职工文化艺术节", "{where}文化馆", (30, 60),
             "随队采风，优秀作品将在职工文化艺术节展出。", hours=5, outdoor=True),
    Template(ActivityKind.CULTURE, "三八节女职工插花沙龙", "女职工权益保护", "{where}职工之家", (20, 30),
             "花艺老师现场教学，材料免费提供。", {"women_only": True}, months=frozenset({3})),
    Template(ActivityKind.WARMTH, "两节送温暖慰问活动", "两节送温暖", "{where}职工服务中心", (50, 120),
             "为困难职工和一线职工送去米面油等慰问品，请凭电子会员卡签到领取。", hours=3,
             months=frozenset({12, 1, 2})),
    Template(ActivityKind.WARMTH, "夏送清凉·户外劳动者慰问", "夏送清凉", "{where}暖新驿站", (60, 150),
             "为快递员、外卖送餐员、网约车司机等送上防暑降温物品。", {"gig_only": True}, hours=3,
             months=frozenset({6, 7, 8, 9}), outdoor=True),
    Template(ActivityKind.WARMTH, "骑手暖心驿站开放日", "暖新驿站", "{where}暖新驿站", (30, 60),
             "驿站免费提供休息、饮水、充电、微波炉加热，现场开展健康义诊。", {"gig_only": True}),
    Template(ActivityKind.WARMTH, "金秋助学金发放仪式", "金秋助学", "{where}工人文化宫", (30, 50),
             "为考入大学的困难职工子女发放助学金，请受助职工携带录取通知书。", hours=1.5,
             months=frozenset({8, 9})),
    Template(ActivityKind.TRAINING, "电工职业技能提升培训", "高原工匠培育计划", "{where}职工技能培训基地", (30, 50),
             "理论与实操结合，考核合格颁发结业证书，可用于职业技能等级认定。", hours=6),
    Template(ActivityKind.TRAINING, "劳模工匠创新工作室交流会", "劳模和工匠人才创新工作室", "{where}劳模创新工作室",
             (15, 30), "交流创新成果和带徒传技经验。", {"model_workers_only": True}, hours=3),
    Template(ActivityKind.TRAINING, "新就业形态劳动者安全骑行培训", "骑手入会集中行动", "{where}暖新驿站", (40, 80),
             "交通安全、防暑防寒和权益维护知识，参加培训赠送骑行安全装备。", {"gig_only": True}, hours=2),
    Template(ActivityKind.TRAINING, "职工心理健康讲座", "新时代职工大讲堂", "{where}工人文化宫", (60, 120),
             "心理咨询师讲授压力管理与情绪调适，现场提供一对一咨询。", hours=2),
    Template(ActivityKind.MATCHMAKING, "“缘来是你”单身职工联谊会", "单身职工联谊", "{where}职工之家", (40, 60),
             "破冰游戏、才艺展示、自由交流，请如实填写个人信息。", {"min_age": 22, "max_age": 40}, hours=4),
    Template(ActivityKind.VOLUNTEER, "职工志愿者义务植树", "工人先锋号", "{where}北山生态林", (50, 100),
             "工会提供树苗和工具，请穿着便于劳动的服装。", hours=4, months=frozenset({3, 4, 5}),
             outdoor=True),
    Template(ActivityKind.OTHER, "《工会法》进企业宣讲", "工会法律援助", "{where}职工之家", (40, 80),
             "律师讲解劳动合同、工资支付和工伤认定，现场解答法律咨询。", hours=2),
)


def in_season(template: Template, starts: datetime) -> tuple[Template, datetime]:
    """``template`` if it is held on ``starts``' day, else the first one that is, of the same kind and audience
    rules (or the same rules, or any); an outdoor one starting in the evening moves to 9:00 that day. No
    random draw, so the rest of the generated data stays as it was."""
    if not template.fits(starts):
        fitting = [t for t in TEMPLATES if t.fits(starts)]
        template = next((t for t in fitting if t.kind == template.kind and t.rules == template.rules),
                        next((t for t in fitting if t.rules == template.rules), fitting[0]))
    if template.outdoor and timezone.localtime(starts).hour >= 17:
        starts = timezone.localtime(starts).replace(hour=9)
    return template, starts


SUMMARIES = (
    "活动共有{n}名会员签到参加，现场秩序井然，职工反响热烈，平均评分{score}分。工会将持续开展此类活动。",
    "本次活动服务会员{n}人次。参加的职工纷纷表示活动内容实用、组织周到，希望今后多举办。",
    "{n}名会员参加了活动。活动中收集职工意见建议十余条，已转交相关部门研究落实。",
)
COMMENTS = ("组织得很好，收获很大", "希望多举办这样的活动", "时间安排有点紧", "工作人员很热情", "内容很实用",
            "场地有点远", "非常满意，感谢工会", "")
SCORES = (5, 5, 5, 5, 4, 4, 4, 3)


SIGNUPS_PER_ACTIVITY = 40
CHUNK = 20_000
# Who hosts (per union): the federations most, each grassroots union now and then.
HOSTS = {UnionLevel.PROVINCE: 40.0, UnionLevel.CITY: 10.0, UnionLevel.DISTRICT: 4.0, UnionLevel.STREET: 1.0,
         UnionLevel.GRASSROOTS: 0.08}
METHODS = Weighted.of({CheckinMethod.CODE: 6, CheckinMethod.CARD: 3, CheckinMethod.MANUAL: 1})
RATED = 0.4  # of the check-ins, rated after the end
CANCELLED_BECAUSE = ("因场馆检修，活动取消，改期另行通知", "因天气原因，活动取消", "报名人数不足，活动取消")


@dataclass
class _Activity:
    node: Node | None  # None: an activity the generator did not plan (the demo's)
    template: Template | None
    row: dict[str, Any]
    eligible: list[int]
    decided: bool = False  # the status is given: not left unsummed by chance
    cap: int = 0
    count: int = 0  # sign-ups it gets
    signups: list[dict[str, Any]] = field(default_factory=list)
    signup_history: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    ratings: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


class _Activities:
    def __init__(self, tree: Tree, pool: MemberPool, *, seed: int, clock: Clock) -> None:
        self.tree, self.pool, self.clock = tree, pool, clock
        self.rng = stream(seed, "activities")
        hosts = [n for n in tree.nodes if pool.size(n, 0)] or [tree.nodes[0]]
        self.hosts = Weighted(hosts, [HOSTS.get(n.level, 1.0) for n in hosts])
        self.lists: dict[tuple[int, int], list[int]] = {}
        self.replayer = _Replay(self.rng, clock, pool.pk)

    def audience(self, node: Node, template: Template, starts: datetime) -> list[int]:
        """Current members of ``node``'s subtree whom the template's rules admit on the day it starts."""
        rules = template.rules
        need = (CURRENT | (GIG if rules.get("gig_only") else 0) | (WOMAN if rules.get("women_only") else 0)
                | (MODEL if rules.get("model_workers_only") else 0))
        key = (node.pk, need)
        if key not in self.lists:
            self.lists[key] = self.pool.fitting(node, need)
        found = self.lists[key]
        low, high = rules.get("min_age"), rules.get("max_age")
        if low is None and high is None:
            return found
        day = starts.date()
        return [i for i in found if (low or 0) <= (self.pool.age(i, day) or -1) <= (high or 200)]

    # --- Planning ---------------------------------------------------------------------------------------------

    def plan(self, signups: int) -> list[_Activity]:
        rng = self.rng
        made = [self.activity(self.hosts.pick(rng)) for _ in range(max(1, round(signups / SIGNUPS_PER_ACTIVITY)))]
        while sum(a.cap for a in made) < signups:  # too few members for that many: bigger ones at the top
            extra = self.activity(self.tree.nodes[0], big=True)
            if not extra.cap and not any(a.cap for a in made[-20:]):
                raise SeedError("会员太少，生成不了这么多活动报名：请增加 --members 或减少 --signups")
            made.append(extra)
        weights = [a.cap * rng.uniform(0.3, 1.0) for a in made]
        for activity, count in zip(made, apportion(signups, weights, [a.cap for a in made]), strict=True):
            activity.count = count
        return made

    def activity(self, node: Node, *, big: bool = False) -> _Activity:
        rng, clock = self.rng, self.clock
        template = rng.choice(TEMPLATES)
        past = big or rng.random() < 0.9
        day = clock.first + timedelta(days=clock.day_sampler(LEISURE_WEEK).index(rng)) if past \
            else clock.today + timedelta(days=rng.randint(1, 45))
        starts = clock.midnight(day) + timedelta(hours=rng.choice((9, 10, 14, 15, 19)), minutes=rng.choice((0, 30)))
        template, starts = in_season(template, starts)
        ends = starts + timedelta(hours=template.hours)
        opens = starts - timedelta(days=rng.randint(7, 20))
        eligible = self.audience(node, template, starts)
        low, high = template.quota
        quota = max(1, min(rng.randint(low, high) * (10 if big else 1), len(eligible) or 1))
        status = self.status(starts, ends, opens)
        created = opens - timedelta(days=2)
        if opens >= clock.now:  # sign-up not open yet: made (and published) lately
            created = clock.now - timedelta(seconds=rng.randrange(86400, 10 * 86400))
        row = {
            "union_id": node.pk, "brand_id": None, "kind": template.kind, "title": template.title,
            "description": template.description, "place": template.place.format(where=_where(node.name)),
            "starts_at": starts, "ends_at": ends, "signup_opens_at": opens,
            "signup_closes_at": starts - timedelta(hours=rng.choice((2, 12, 24))), "quota": quota, "taken": 0,
            "gig_only": False, "women_only": False, "model_workers_only": False, "min_age": None, "max_age": None,
            **template.rules, "status": status, "summary": "", "cancel_reason": "", "created_by_id": None,
            "created_at": created, "updated_at": created, "concluded_at": None,
            "published_at": None if status == ActivityStatus.DRAFT else min(opens, created + timedelta(hours=6)),
        }
        activity = _Activity(node, template, row, eligible)
        open_for = status != ActivityStatus.DRAFT and opens < clock.now
        activity.cap = min(len(eligible), round(quota * 1.3)) if open_for else 0
        return activity

    def status(self, starts: datetime, ends: datetime, opens: datetime) -> str:
        roll = self.rng.random()
        if ends < self.clock.now:
            return ActivityStatus.CANCELLED if roll < 0.05 else ActivityStatus.CONCLUDED
        if opens >= self.clock.now:
            return ActivityStatus.DRAFT if roll < 0.3 else ActivityStatus.PUBLISHED
        return ActivityStatus.CANCELLED if roll < 0.05 else ActivityStatus.PUBLISHED

class _Replay:
    """Sign-ups replayed in time order (places, waitlist, cancellations, promotions, check-ins,
    ratings, the ending), and the writing: the one sign-up path of the generator and the demo.
    ``pk`` maps an activity's ``eligible`` entries to member keys."""

    def __init__(self, rng: Any, clock: Clock, pk: Sequence[int] | _Same, *, rated: float = RATED) -> None:
        self.rng, self.clock, self.pk, self.rated = rng, clock, pk, rated

    # --- Sign-ups ----------------------------------------------------------------------------------------------

    def replay(self, a: _Activity) -> None:
        """The sign-ups in time order, with cancellations, promotions and check-ins; then the activity's ending."""
        rng, clock, row = self.rng, self.clock, a.row
        cancelled_at = None
        end = min(row["signup_closes_at"], clock.now)
        if row["status"] == ActivityStatus.CANCELLED:
            start = row["published_at"] or row["created_at"]
            cancelled_at = clock.between(rng, start + (end - start) / 2, end)
            end = cancelled_at
        times = sorted(clock.between(rng, row["signup_opens_at"], end) for _ in range(a.count))
        queue: list[tuple[datetime, int, int]] = []
        for n, (i, at) in enumerate(zip(rng.sample(a.eligible, a.count), times, strict=True)):
            a.signups.append({"member_id": self.pk[i], "status": "", "created_at": at, "confirmed_at": None,
                              "promoted": False, "cancelled_at": None, "cancel_reason": "", "checked_in_at": None,
                              "checkin_method": "", "checked_in_by_id": None, "reminded_at": None})
            heapq.heappush(queue, (at, 0, n))
            leave = clock.after(rng, at, 1, 72)
            if rng.random() < 0.08 and leave < min(row["starts_at"], end):
                heapq.heappush(queue, (leave, 1, n))
        waiting: list[int] = []
        while queue:
            at, cancel, n = heapq.heappop(queue)
            (self.leave if cancel else self.join)(a, n, at, waiting)
        if cancelled_at is not None:
            self.call_off(a, cancelled_at)
        elif a.signups:
            self.attend(a)
        elif row["status"] == ActivityStatus.CONCLUDED and not a.decided:
            row["status"] = ActivityStatus.PUBLISHED  # nobody signed up: nothing to sum up
        if a.decided and row["status"] == ActivityStatus.CONCLUDED and row["concluded_at"] is None:
            self.conclude(a)  # summed up all the same, as it was given

    def join(self, a: _Activity, n: int, at: datetime, waiting: list[int]) -> None:
        signup = a.signups[n]
        if a.row["taken"] < a.row["quota"]:
            signup |= {"status": SignupStatus.CONFIRMED, "confirmed_at": at}
            a.row["taken"] += 1
        else:
            signup["status"] = SignupStatus.WAITLISTED
            waiting.append(n)
        a.signup_history.append((signup, {"from_status": "", "to_status": signup["status"], "note": "",
                                          "created_at": at}))

    def leave(self, a: _Activity, n: int, at: datetime, waiting: list[int]) -> None:
        """本人取消: a confirmed member frees the place, and the head of the waitlist gets it."""
        signup = a.signups[n]
        before = signup["status"]
        signup |= {"status": SignupStatus.CANCELLED, "cancelled_at": at, "cancel_reason": "本人取消"}
        a.signup_history.append((signup, {"from_status": before, "to_status": SignupStatus.CANCELLED,
                                          "note": "本人取消", "created_at": at}))
        if before == SignupStatus.WAITLISTED:
            waiting.remove(n)
            return
        a.row["taken"] -= 1
        if waiting:
            head = a.signups[waiting.pop(0)]
            head |= {"status": SignupStatus.CONFIRMED, "confirmed_at": at, "promoted": True}
            a.row["taken"] += 1
            a.signup_history.append((head, {"from_status": SignupStatus.WAITLISTED,
                                            "to_status": SignupStatus.CONFIRMED, "note": "候补递补",
                                            "created_at": at}))

    def call_off(self, a: _Activity, at: datetime) -> None:
        """The activity called off: every live sign-up cancelled with the reason, no place held."""
        reason = self.rng.choice(CANCELLED_BECAUSE)
        row = a.row
        row.update(cancel_reason=reason, taken=0, updated_at=at)
        note = f"活动取消：{reason}"
        for signup in a.signups:
            if signup["status"] != SignupStatus.CANCELLED:
                a.signup_history.append((signup, {"from_status": signup["status"],
                                                  "to_status": SignupStatus.CANCELLED, "note": note,
                                                  "created_at": at}))
                signup |= {"status": SignupStatus.CANCELLED, "cancelled_at": at, "cancel_reason": note}

    def attend(self, a: _Activity) -> None:
        """Check-ins from an hour before the start; ratings after the end; the summary."""
        rng, clock, row = self.rng, self.clock, a.row
        if row["starts_at"] >= clock.now:
            return
        came = rng.uniform(0.7, 0.95)
        for signup in a.signups:
            at = row["starts_at"] + timedelta(minutes=rng.randint(-40, 25))
            if signup["status"] != SignupStatus.CONFIRMED or rng.random() >= came or at >= clock.now:
                continue
            method = METHODS.pick(rng)
            signup |= {"status": SignupStatus.CHECKED_IN, "checked_in_at": at, "checkin_method": method}
            a.signup_history.append((signup, {"from_status": SignupStatus.CONFIRMED,
                                              "to_status": SignupStatus.CHECKED_IN,
                                              "note": CheckinMethod(method).label, "created_at": at}))
            rated = clock.after(rng, row["ends_at"], 1, 72)
            if rng.random() < self.rated and rated < clock.now:
                a.ratings.append((signup, {"score": rng.choice(SCORES), "comment": rng.choice(COMMENTS),
                                           "created_at": rated}))
        self.conclude(a)

    def conclude(self, a: _Activity) -> None:
        """已总结 a few days after the end (some are left without a summary: still 已发布)."""
        rng, row = self.rng, a.row
        if row["status"] != ActivityStatus.CONCLUDED:
            return
        at = self.clock.after(rng, row["ends_at"], 2, 96)
        if a.decided:  # its status is given (the demo's): summed up, a little before now if need be
            at = min(at, self.clock.between(rng, row["ends_at"], self.clock.now))
        elif at >= self.clock.now or rng.random() < 0.1:
            row["status"] = ActivityStatus.PUBLISHED
            return
        came = sum(1 for s in a.signups if s["status"] == SignupStatus.CHECKED_IN)
        scores = [r["score"] for _, r in a.ratings]
        average = f"{sum(scores) / len(scores):.1f}" if scores else "4.6"
        row.update(summary=rng.choice(SUMMARIES).format(n=came, score=average), concluded_at=at, updated_at=at)

    # --- Writing -------------------------------------------------------------------------------------------------

    def history(self, a: _Activity) -> list[dict[str, Any]]:
        row = a.row
        steps = [("create", "", ActivityStatus.DRAFT, "", row["created_at"])]
        if row["published_at"] is not None:
            steps.append(("publish", ActivityStatus.DRAFT, ActivityStatus.PUBLISHED, "", row["published_at"]))
        if row["status"] == ActivityStatus.CONCLUDED:
            steps.append(("conclude", ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED, "", row["concluded_at"]))
        if row["status"] == ActivityStatus.CANCELLED:
            steps.append(("cancel", ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED, row["cancel_reason"],
                          row["updated_at"]))
        return [{"activity_id": row["id"], "action": action, "from_status": before, "to_status": after,
                 "actor_id": None, "note": note, "created_at": at} for action, before, after, note, at in steps]

    def write(self, group: list[_Activity]) -> int:
        rows = [a.row for a in group]
        with_ids(Activity, rows)
        insert(Activity, rows)
        insert(ActivityEvent, [step for a in group for step in self.history(a)])
        signups = [s for a in group for s in a.signups]
        for a in group:
            for signup in a.signups:
                signup["activity_id"] = a.row["id"]
        with_ids(Signup, signups)
        insert(Signup, signups)
        insert(SignupEvent, [{**e, "signup_id": s["id"], "actor_id": None} for a in group for s, e in a.signup_history])
        insert(Rating, [{**r, "signup_id": s["id"], "activity_id": a.row["id"]} for a in group for s, r in a.ratings])
        return len(signups)



def _where(name: str) -> str:
    for suffix in ("总工会", "工会联合会", "工会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def build_signups(tree: Tree, pool: MemberPool, *, signups: int, seed: int, clock: Clock,
                  progress: Progress | None = None) -> dict[str, int]:
    """``signups`` sign-ups with the activities they need (about one per 40), ``CHUNK`` per transaction."""
    maker = _Activities(tree, pool, seed=seed, clock=clock)
    activities = maker.plan(signups)
    group: list[_Activity] = []
    with Writer(progress, workers=2) as writer:
        for activity in activities:
            maker.replayer.replay(activity)
            group.append(activity)
            if sum(a.count for a in group) >= CHUNK or activity is activities[-1]:
                writer.submit(partial(maker.replayer.write, group))
                group = []
    return {"activities": len(activities), "signups": writer.done}


class _Same:
    """The identity mapping: ``eligible`` holds member keys already."""

    def __getitem__(self, key: int) -> int:
        return key


def replay_signups(plans: list[dict[str, Any]], *, seed: int, clock: Clock, rated: float = RATED) -> int:
    """Sign-ups of activities planned elsewhere (the demo's), replayed and written as the generator's
    own, with the activities. Each plan: ``row`` (the activity's values by attname, in the status it
    is to have), ``members`` (the member keys it may take, in order), ``count`` (how many sign up)
    and ``fixed``: (member key, status, at) sign-ups written as they are, after the replay (a named
    login's showcase), the quota raised if a place is needed. Returns the number of sign-ups."""
    replayer = _Replay(stream(seed, "activities", "replay"), clock, _Same(), rated=rated)
    group: list[_Activity] = []
    for plan in plans:
        row = {"taken": 0, **plan["row"]}
        row["taken"] = 0
        a = _Activity(None, None, row, list(plan["members"]), decided=True)
        a.count = min(plan["count"], len(a.eligible))
        replayer.replay(a)
        for member, status, at in plan.get("fixed", ()):
            held = status in (SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN)
            if held:
                row["taken"] += 1
                row["quota"] = max(row["quota"], row["taken"])
            signup = {"member_id": member, "status": status, "created_at": at,
                      "confirmed_at": None if status == SignupStatus.WAITLISTED else at, "promoted": False,
                      "cancelled_at": None, "cancel_reason": "", "checked_in_at": None, "checkin_method": "",
                      "checked_in_by_id": None, "reminded_at": None}
            first = SignupStatus.WAITLISTED if status == SignupStatus.WAITLISTED else SignupStatus.CONFIRMED
            a.signup_history.append((signup, {"from_status": "", "to_status": first, "note": "", "created_at": at}))
            if status == SignupStatus.CHECKED_IN:
                came = min(row["starts_at"] + timedelta(minutes=10), clock.now)
                signup |= {"status": SignupStatus.CHECKED_IN, "checked_in_at": came,
                           "checkin_method": CheckinMethod.CODE}
                a.signup_history.append((signup, {"from_status": SignupStatus.CONFIRMED,
                                                  "to_status": SignupStatus.CHECKED_IN,
                                                  "note": CheckinMethod.CODE.label, "created_at": came}))
            a.signups.append(signup)
        group.append(a)
    return replayer.write(group)


# --- The demo's activities --------------------------------------------------------------------------------------

DEMO_CONCLUDED = 48
DEMO_ENDED_UNSUMMARISED = 6


@dataclass
class World:
    """What the demo already holds, read from the database."""

    organizers: list[Union]
    staff: dict[int, User]  # union id → a writing staff member of it (or of its nearest ancestor)
    members: list[Member]
    by_path: dict[str, list[Member]]
    brands: dict[str, Brand]
    worker: Member | None
    rider: Member | None

    @property
    def named_ids(self) -> set[int]:
        return {m.pk for m in (self.worker, self.rider) if m is not None}

    @classmethod
    def load(cls) -> World:
        writing = (StaffAssignment.objects.filter(role__in=list(WRITE_ROLES), user__is_active=True)
                   .select_related("union", "user").order_by("union__path", "id"))
        staff_at: dict[int, User] = {}
        for row in writing:
            staff_at.setdefault(row.union_id, row.user)
        unions = list(Union.objects.active().filter(pk__in=list(staff_at)).order_by("path"))
        # Federations down to districts organise most activities; a few grassroots and joint unions too.
        organizers = [u for u in unions if u.level <= UnionLevel.DISTRICT or u.kind == "joint"]
        organizers += [u for u in unions if u.level > UnionLevel.DISTRICT and u.kind != "joint"][:8]
        members = list(Member.objects.current().select_related("union").order_by("id"))
        by_path: dict[str, list[Member]] = defaultdict(list)
        for member in members:
            by_path[member.union.path].append(member)
        by_user = {m.user_id: m for m in members if m.user_id is not None}
        worker, rider = (by_user.get(User.objects.by_phone(phone).values_list("pk", flat=True).first())
                         for phone in (activities_demo.WORKER_PHONE, activities_demo.RIDER_PHONE))
        brands = {b.name: b for b in Brand.objects.filter(parent__isnull=False).order_by("-union__depth")}
        return cls(organizers=organizers, staff=staff_at, members=members, by_path=dict(by_path), brands=brands,
                   worker=worker, rider=rider)

    def audience(self, activity: Activity) -> list[Member]:
        """Current members of the owner's subtree whom the activity's rules admit."""
        found = [m for path, people in self.by_path.items() if path.startswith(activity.union.path) for m in people]
        return [m for m in found if not activity.audience_problem(m)]

    def organizer_for(self, member: Member, *, rng: random.Random) -> Union | None:
        """One of the member's own union's ancestors (or itself) that organises activities."""
        chain = [u for u in self.organizers if member.union.path.startswith(u.path)]
        return rng.choice(chain) if chain else None


@dataclass
class Plan:
    activity: Activity
    fill: float  # share of the quota that signed up
    extra: list[tuple[Member, str]] = field(default_factory=list)  # named workers and their status


def _activity(rng: random.Random, world: World, union: Union, template: Template, *, starts: datetime,
              status: str, now: datetime) -> Activity:
    quota = rng.randint(*template.quota)
    ends = starts + timedelta(hours=template.hours)
    # Sign-up opened one to three weeks before the start, and (for coming activities) already.
    opens = min(starts - timedelta(days=rng.randint(7, 20)), now - timedelta(hours=rng.randint(1, 72)))
    return Activity(
        union=union, brand=world.brands.get(template.brand), kind=template.kind, title=template.title,
        description=template.description, place=template.place.format(where=_where(union.name)), starts_at=starts,
        ends_at=ends, signup_opens_at=opens, signup_closes_at=starts - timedelta(hours=rng.choice((2, 12, 24))),
        quota=quota, status=status, created_by=world.staff.get(union.pk), created_at=opens - timedelta(days=2),
        updated_at=opens, published_at=opens if status != ActivityStatus.DRAFT else None, **template.rules)


def _at_hour(day: datetime, rng: random.Random) -> datetime:
    local = timezone.localtime(day)
    return local.replace(hour=rng.choice((9, 10, 14, 15, 19)), minute=rng.choice((0, 30)), second=0, microsecond=0)


def _plans(rng: random.Random, world: World, now: datetime) -> list[Plan]:
    plans: list[Plan] = []
    organizers = world.organizers

    def make(union: Union, template: Template, starts: datetime, status: str, *, fill: float) -> Plan:
        template, starts = in_season(template, starts)
        plan = Plan(_activity(rng, world, union, template, starts=starts, status=status, now=now), fill)
        plans.append(plan)
        return plan

    for _ in range(DEMO_CONCLUDED):
        starts = _at_hour(now - timedelta(days=rng.randint(8, 360)), rng)
        make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.CONCLUDED,
             fill=rng.uniform(0.6, 1.0))
    for _ in range(DEMO_ENDED_UNSUMMARISED):
        starts = _at_hour(now - timedelta(days=rng.randint(1, 7)), rng)
        make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.PUBLISHED,
             fill=rng.uniform(0.6, 1.0))
    for _ in range(8):  # open for sign-up
        starts = _at_hour(now + timedelta(days=rng.randint(3, 25)), rng)
        make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.PUBLISHED,
             fill=rng.uniform(0.1, 0.7))
    for _ in range(2):  # sign-up not yet open
        starts = _at_hour(now + timedelta(days=rng.randint(30, 45)), rng)
        plan = make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.PUBLISHED, fill=0)
        plan.activity.signup_opens_at = now + timedelta(days=rng.randint(3, 10))
    for _ in range(2):
        starts = _at_hour(now + timedelta(days=rng.randint(10, 30)), rng)
        make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.DRAFT, fill=0)
    cancelled = make(rng.choice(organizers), TEMPLATES[0], _at_hour(now + timedelta(days=6), rng),
                     ActivityStatus.CANCELLED, fill=0.4)
    cancelled.activity.cancel_reason = "因场馆检修，活动取消，改期另行通知"
    by_title = {t.title: t for t in TEMPLATES}

    def make_named(union: Union, title: str, starts: datetime, status: str, *, fill: float) -> Plan:
        return make(union, by_title[title], starts, status, fill=fill)

    activities_demo.named_plans(world, now, make_named, at_hour=lambda day: _at_hour(day, rng), rng=rng)
    return plans


def demo_plans(rng: random.Random) -> list[dict[str, Any]] | None:
    """The demo's activities as the generator's ``replay_signups`` takes them: each one's row, who may
    sign up (the rules admit them; not the named workers, who appear only where their story puts
    them) and how many do, and the named workers' own sign-ups. None without organising unions.
    Preconditions: inside the demo's transaction, after the unions, accounts and members demos."""
    world = World.load()
    if not world.organizers:
        return None
    now = timezone.now()
    fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
    made = []
    for plan in _plans(rng, world, now):
        activity = plan.activity
        members = [m.pk for m in world.audience(activity) if m.pk not in world.named_ids]
        at = min(now - timedelta(minutes=5), activity.signup_closes_at - timedelta(minutes=5))
        made.append({"row": {f.attname: getattr(activity, f.attname) for f in fields}, "members": members,
                     "count": min(len(members), round(activity.quota * plan.fill)),
                     "fixed": [(member.pk, status, at) for member, status in plan.extra]})
    return made
