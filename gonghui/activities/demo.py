"""Demo activities: a year of union activities across the demo tree — concluded ones with their
check-ins (惠及人次) and ratings, ones running today, ones open for sign-up (one full, with a waitlist),
upcoming ones, drafts and a cancelled one.

``signup_plans(rng)`` reads what the demo already holds (unions, their writing staff, current
members, the brand matrix) and plans the activities from the templates: who organises what, when,
for whom, how full it gets, and the named workers' own sign-ups. The generator replays and writes
them (``gonghui.seed.demo.build_activities`` → ``gonghui/seed/activities.py``, the same sign-up path
as ``gonghui seed``'s): places and the waitlist in time order, cancellations and promotions,
check-ins, ratings, summaries and each activity's created/published/concluded steps, with
``Activity.taken`` the places the sign-ups hold.

The named worker logins get what lets them try everything: 王小明 (职工 13900000010) is signed up for
an activity running now (check in by scanning its code), may sign up for an open one, waits on the
waitlist of a full one, and took part in a concluded one he has not rated yet; 李骑手 (骑手
13900000011) is offered a gig-workers-only activity.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.scope import WRITE_ROLES
from gonghui.members.models import Member
from gonghui.unions.models import Brand, Union, UnionLevel

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Phase,
    Rating,
    Signup,
    SignupStatus,
)

WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"
CONCLUDED = 48
ENDED_UNSUMMARISED = 6


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


TEMPLATES: tuple[Template, ...] = (
    Template(ActivityKind.CULTURE, "职工气排球联赛", "职工运动会", "{where}全民健身中心", (40, 80),
             "以单位为单位组队报名，每队8人，赛程两天。请穿运动鞋，自备饮用水。"),
    Template(ActivityKind.CULTURE, "“书香工会”职工读书分享会", "职工书屋", "{where}职工书屋", (20, 40),
             "分享一本近期读过的好书，现场赠送图书。"),
    Template(ActivityKind.CULTURE, "职工合唱团新年音乐会", "职工合唱团", "{where}工人文化宫", (80, 200),
             "职工合唱团汇报演出，欢迎会员及家属观看，凭签到入场。", hours=2),
    Template(ActivityKind.CULTURE, "职工摄影作品展暨采风活动", "职工文化艺术节", "{where}文化馆", (30, 60),
             "随队采风，优秀作品将在职工文化艺术节展出。", hours=5),
    Template(ActivityKind.CULTURE, "三八节女职工插花沙龙", "女职工权益保护", "{where}职工之家", (20, 30),
             "花艺老师现场教学，材料免费提供。", {"women_only": True}),
    Template(ActivityKind.WARMTH, "两节送温暖慰问活动", "两节送温暖", "{where}职工服务中心", (50, 120),
             "为困难职工和一线职工送去米面油等慰问品，请凭电子会员卡签到领取。", hours=3),
    Template(ActivityKind.WARMTH, "夏送清凉·户外劳动者慰问", "夏送清凉", "{where}暖新驿站", (60, 150),
             "为快递员、外卖送餐员、网约车司机等送上防暑降温物品。", {"gig_only": True}, hours=3),
    Template(ActivityKind.WARMTH, "骑手暖心驿站开放日", "暖新驿站", "{where}暖新驿站", (30, 60),
             "驿站免费提供休息、饮水、充电、微波炉加热，现场开展健康义诊。", {"gig_only": True}),
    Template(ActivityKind.WARMTH, "金秋助学金发放仪式", "金秋助学", "{where}工人文化宫", (30, 50),
             "为考入大学的困难职工子女发放助学金，请受助职工携带录取通知书。", hours=1.5),
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
             "工会提供树苗和工具，请穿着便于劳动的服装。", hours=4),
    Template(ActivityKind.OTHER, "《工会法》进企业宣讲", "工会法律援助", "{where}职工之家", (40, 80),
             "律师讲解劳动合同、工资支付和工伤认定，现场解答法律咨询。", hours=2),
)

SUMMARIES = (
    "活动共有{n}名会员签到参加，现场秩序井然，职工反响热烈，平均评分{score}分。工会将持续开展此类活动。",
    "本次活动服务会员{n}人次。参加的职工纷纷表示活动内容实用、组织周到，希望今后多举办。",
    "{n}名会员参加了活动。活动中收集职工意见建议十余条，已转交相关部门研究落实。",
)
COMMENTS = ("组织得很好，收获很大", "希望多举办这样的活动", "时间安排有点紧", "工作人员很热情", "内容很实用",
            "场地有点远", "非常满意，感谢工会", "")
SCORES = (5, 5, 5, 5, 4, 4, 4, 3)


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
                         for phone in (WORKER_PHONE, RIDER_PHONE))
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


def _where(union: Union) -> str:
    for suffix in ("总工会", "工会联合会", "工会"):
        if union.name.endswith(suffix):
            return union.name[: -len(suffix)]
    return union.name


def _activity(rng: random.Random, world: World, union: Union, template: Template, *, starts: datetime,
              status: str, now: datetime) -> Activity:
    quota = rng.randint(*template.quota)
    ends = starts + timedelta(hours=template.hours)
    # Sign-up opened one to three weeks before the start, and (for coming activities) already.
    opens = min(starts - timedelta(days=rng.randint(7, 20)), now - timedelta(hours=rng.randint(1, 72)))
    return Activity(
        union=union, brand=world.brands.get(template.brand), kind=template.kind, title=template.title,
        description=template.description, place=template.place.format(where=_where(union)), starts_at=starts,
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
        plan = Plan(_activity(rng, world, union, template, starts=starts, status=status, now=now), fill)
        plans.append(plan)
        return plan

    for _ in range(CONCLUDED):
        starts = _at_hour(now - timedelta(days=rng.randint(8, 360)), rng)
        make(rng.choice(organizers), rng.choice(TEMPLATES), starts, ActivityStatus.CONCLUDED,
             fill=rng.uniform(0.6, 1.0))
    for _ in range(ENDED_UNSUMMARISED):
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
    _named_plans(rng, world, now, make)
    return plans


def _named_plans(rng: random.Random, world: World, now: datetime, make: Any) -> None:
    worker, rider = world.worker, world.rider
    if worker is not None:
        home = world.organizer_for(worker, rng=rng)
        if home is not None:
            running = make(home, TEMPLATES[12], now - timedelta(minutes=30), ActivityStatus.PUBLISHED, fill=0.6)
            running.activity.signup_opens_at = now - timedelta(days=10)
            running.activity.signup_closes_at = running.activity.starts_at
            running.extra.append((worker, SignupStatus.CONFIRMED))
            make(home, TEMPLATES[1], _at_hour(now + timedelta(days=5), rng), ActivityStatus.PUBLISHED, fill=0.3)
            full = make(home, TEMPLATES[14], _at_hour(now + timedelta(days=9), rng), ActivityStatus.PUBLISHED,
                        fill=1.25)
            full.activity.quota = 20
            full.extra.append((worker, SignupStatus.WAITLISTED))
            past = make(home, TEMPLATES[9], _at_hour(now - timedelta(days=12), rng), ActivityStatus.CONCLUDED,
                        fill=0.9)
            past.extra.append((worker, SignupStatus.CHECKED_IN))
    if rider is not None:
        home = world.organizer_for(rider, rng=rng)
        if home is not None:
            make(home, TEMPLATES[6], _at_hour(now + timedelta(days=4), rng), ActivityStatus.PUBLISHED, fill=0.4)


def signup_plans(rng: random.Random) -> list[dict[str, Any]] | None:
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


def build_summary(*, made: bool = True) -> list[str]:
    return summary() if made else ["活动：演示数据中没有配备工作人员的工会，未生成活动"]


def counts() -> dict[str, Any]:
    now = timezone.now()
    phases: Counter[str] = Counter()
    for a in Activity.objects.only("status", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        phases[a.phase(now).label if a.status == ActivityStatus.PUBLISHED else a.get_status_display()] += 1
    signups = Signup.objects.aggregate(
        total=Count("id"), served=Count("id", filter=Q(status=SignupStatus.CHECKED_IN)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)))
    ratings = Rating.objects.aggregate(n=Count("id"), avg=Avg("score"))
    return {"activities": sum(phases.values()), "phases": dict(phases), **signups, "ratings": ratings["n"],
            "average": ratings["avg"]}


def summary() -> list[str]:
    c = counts()
    order = [ActivityStatus.CONCLUDED.label, Phase.ENDED.label, Phase.ONGOING.label, Phase.SIGNUP.label,
             Phase.CLOSED.label, Phase.UPCOMING.label, ActivityStatus.DRAFT.label, ActivityStatus.CANCELLED.label]
    phases = "、".join(f"{label}{c['phases'][label]}" for label in order if c["phases"].get(label))
    average = f"{c['average']:.1f}" if c["average"] else "—"
    return [
        f"活动 {c['activities']} 个（{phases or '无'}）",
        f"  报名 {c['total']} 人次（候补中 {c['waitlisted']}），签到即惠及 {c['served']} 人次，"
        f"评价 {c['ratings']} 条（平均 {average} 分）",
    ]
