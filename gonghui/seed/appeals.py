"""12351 work orders (诉求工单) with their timelines, as the intake, handling and deadline services
leave them.

Tickets arrive every day of the history (more on working days, more each month), two in three from
members — landing at the member's union, or the nearest one above it with writing staff, exactly as
``nearest_staffed`` routes them — the rest from callers who are not in the registry, about a street
or district of the tree. Each is walked through its life from its arrival: accepted (受理), now and
then handed down (交办) or up (上报) and accepted again, supervised (督办), mediated (劳动争议调解,
for legal aid and disputes), replied to and closed (办结, on time when by the due date), rated
(满意/基本满意/不满意), sometimes reopened once after 不满意, followed up (回访) — as far as "now" lets
it get. Old tickets are nearly all closed. An open ticket past its due date was flagged and
escalated by the deadline job, as ``deadline_sweep`` does; one due tomorrow was warned.

Case numbers are ``12351-YYYYMMDD-NNNNNN``, consecutive per day in arrival order, continuing the
day's ``CaseCounter`` (which is kept equal to the day's last number). The same open matter
(fingerprint) is never two tickets; a matter raised again after closing points at the earlier ticket.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction

from gonghui.accounts.models import StaffAssignment
from gonghui.appeals.demo import REPLIES
from gonghui.appeals.models import (
    MEDIATION_KINDS,
    OPEN_STATUSES,
    Action,
    CaseCounter,
    Channel,
    Claimant,
    Kind,
    Mediation,
    MediationSession,
    MediationStatus,
    Priority,
    Rating,
    Status,
    Ticket,
    TicketEvent,
    Tier,
    Topic,
)
from gonghui.appeals.services.common import due_date
from gonghui.appeals.services.intake import fingerprint
from gonghui.appeals.services.numbers import format_number
from gonghui.core.scope import WRITE_ROLES
from gonghui.lib import crypto
from gonghui.lib.workdays import add_workdays
from gonghui.unions.models import Employer, Union, UnionLevel

from .base import LEISURE_HOURS, OFFICE, Clock, Progress, Weighted, Writer, insert, stream, with_ids
from .people import PHONE_PREFIXES
from .people import name as person_name
from .pool import MemberPool, details, names_of
from .tree import Tree

# What the tickets say and how they are handled: the kinds' shares, the topics of each kind, the
# texts (title, body) of each topic, the notes of each step (the demo's tickets and the benchmark's).
KIND_WEIGHTS = {Kind.CONSULT: 30, Kind.HELP: 14, Kind.COMPLAINT: 14, Kind.LEGAL: 11, Kind.SUGGESTION: 12,
                Kind.HAZARD: 9, Kind.DISPUTE: 10}
TOPICS: dict[str, dict[str, float]] = {
    Kind.CONSULT: {Topic.INSURANCE: 25, Topic.CONTRACT: 20, Topic.HOURS: 18, Topic.MEMBERSHIP: 20, Topic.WAGES: 10,
                   Topic.GIG: 7},
    Kind.HELP: {Topic.HARDSHIP: 60, Topic.INJURY: 15, Topic.GIG: 15, Topic.OTHER: 10},
    Kind.COMPLAINT: {Topic.WAGES: 45, Topic.HOURS: 20, Topic.DISMISSAL: 15, Topic.INSURANCE: 12, Topic.GIG: 8},
    Kind.LEGAL: {Topic.WAGES: 40, Topic.INJURY: 25, Topic.DISMISSAL: 25, Topic.CONTRACT: 10},
    Kind.SUGGESTION: {Topic.MANAGEMENT: 60, Topic.MEMBERSHIP: 25, Topic.OTHER: 15},
    Kind.HAZARD: {Topic.SAFETY: 100},
    Kind.DISPUTE: {Topic.WAGES: 45, Topic.DISMISSAL: 30, Topic.CONTRACT: 15, Topic.INJURY: 10},
}

# (title, content) per topic; {e} is an employer's name.
TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    Topic.WAGES: (
        ("拖欠三个月工资",
         "我在{e}工作，单位已经拖欠了三个月工资，多次找负责人都说再等等，家里等着用钱，请工会帮忙协"
         "调。"),
        ("加班费没有发放",
         "{e}每天要求加班两个小时，周末也经常加班，但工资条上从来没有加班费，想问这样是否合法。"),
        ("工资低于最低工资标准",
         "{e}试用期工资扣完社保后到手不到一千五百元，是否低于本地最低工资标准？"),
        ("离职后工资迟迟不结",
         "从{e}离职已经一个多月，最后一个月工资和年终奖一直没有结算。"),
    ),
    Topic.CONTRACT: (
        ("入职半年没签劳动合同",
         "在{e}上班半年了，单位一直不和我签劳动合同，请问可以要求二倍工资吗？"),
        ("合同期满不续签怎么办",
         "我和{e}的合同下个月到期，单位口头说不续签，有没有经济补偿？"),
        ("劳务派遣同工不同酬",
         "我是派遣到{e}的，和正式工干一样的活，工资和福利差很多。"),
    ),
    Topic.INSURANCE: (
        ("单位没给交社保",
         "{e}说试用期不交社保，转正后也一直没交，怎么维护自己的权益？"),
        ("社保断缴影响买房",
         "换工作期间社保断了两个月，想问怎么补缴，会不会影响购房资格？"),
        ("灵活就业人员怎么参保",
         "我是外卖骑手，没有固定单位，想了解灵活就业人员参加养老和医疗保险的办法。"),
    ),
    Topic.HOURS: (
        ("每天工作十二小时",
         "{e}车间实行两班倒，每班十二个小时，一个月只休两天，身体吃不消。"),
        ("年休假不让休",
         "在{e}工作满五年，申请年休假单位一直不批，也不给补偿。"),
        ("产假被缩短",
         "{e}只给三个月产假，说是公司规定，想问国家规定是多少天。"),
    ),
    Topic.SAFETY: (
        ("车间消防通道被堵",
         "{e}二号车间的消防通道堆满了货物，安全出口也锁着，万一着火后果不堪设想。"),
        ("脚手架没有防护网",
         "{e}工地的脚手架没有挂安全网，工人高空作业也没有系安全带。"),
        ("电线私拉乱接",
         "{e}宿舍楼道里电线私拉乱接，还有人给电动车充电，存在火灾隐患。"),
        ("粉尘太大没有防护",
         "{e}打磨车间粉尘很大，单位不发防尘口罩，也没有通风设备。"),
    ),
    Topic.INJURY: (
        ("工伤认定单位不配合",
         "我在{e}上班时手指被机器压伤，单位不给申报工伤，医药费也不报销。"),
        ("职业病怎么鉴定",
         "在{e}干了八年电焊，最近体检查出肺部有问题，想问怎么申请职业病鉴定。"),
    ),
    Topic.DISMISSAL: (
        ("无故被辞退",
         "{e}突然通知我明天不用来上班了，没有任何理由，也不给补偿。"),
        ("怀孕后被调岗降薪",
         "告诉{e}我怀孕后，单位把我调到仓库，工资降了一半，变相逼我辞职。"),
        ("被迫签自愿离职",
         "{e}让我们签自愿离职申请，不签就不发上个月工资。"),
    ),
    Topic.HARDSHIP: (
        ("家人重病生活困难",
         "爱人得了重病在西宁住院，花光了积蓄，孩子还在上学，想申请困难职工帮扶。"),
        ("孩子考上大学学费困难",
         "孩子今年考上大学，学费和生活费还差一万多，想了解工会金秋助学的申请条件。"),
        ("失业后想参加技能培训",
         "原单位停产后一直没找到工作，想参加电工或焊工培训，请问工会有没有免费培训。"),
    ),
    Topic.MEMBERSHIP: (
        ("怎么加入工会",
         "我在{e}上班，单位没有成立工会，请问我怎么入会？入会有什么好处？"),
        ("会员卡能在哪里用",
         "电子会员卡办好了，想了解在哪些商户可以享受会员优惠。"),
        ("建议增加职工书屋开放时间",
         "职工书屋晚上七点就关门了，下班后去不了，建议延长到九点。"),
    ),
    Topic.GIG: (
        ("骑手被平台罚款太多",
         "跑外卖超时一次罚款五十元，有时候是商家出餐慢，申诉也没用，工会能不能帮我们说说话。"),
        ("快递员没有休息的地方",
         "夏天中午太热，送快递没有地方喝水休息，能不能多设几个暖心驿站。"),
        ("网约车司机遭遇不公平派单",
         "平台抽成越来越高，派单也不透明，司机收入一直在降。"),
    ),
    Topic.MANAGEMENT: (
        ("我为企业献一计：包装工序改进",
         "建议{e}把包装线的人工贴标改成自动贴标，一条线能省两个人，还能减少错贴。"),
        ("建议食堂增加夜班餐",
         "{e}夜班工人半夜没有饭吃，建议食堂晚上十一点加一顿夜宵。"),
        ("建议完善技术比武奖励",
         "建议{e}把技术比武成绩和技能等级、工资挂钩，调动大家学技术的积极性。"),
        ("节能降耗小建议",
         "{e}空压机夜间空载运行，建议加装变频控制，一年能省不少电费。"),
    ),
    Topic.OTHER: (
        ("咨询工会活动报名",
         "想报名参加工会组织的职工运动会，请问在哪里报名？"),
        ("职工疗休养怎么申请",
         "听说工会有劳模和一线职工疗休养，想了解申请条件。"),
    ),
}
SUPERVISE_NOTES = ("请于三个工作日内办结并反馈", "职工多次来电，请加快办理", "该事项涉及群体，请高度重视",
                   "请主要负责人亲自协调")
ESCALATE_NOTES = ("涉及跨区域企业，需上级协调", "单位拒不配合，请上级工会出面", "超出本级处理权限")
TRANSFER_NOTES = ("经核实诉求人工作单位在该区", "事发地属于该区管辖")
FOLLOW_UP_NOTES = ("电话回访，职工表示问题已解决", "电话回访，职工对办理结果满意", "回访未接通，已发短信告知",
                   "上门回访，单位已整改到位")
DISSATISFIED_NOTES = ("单位只发了一部分，还差两个月", "问题没有真正解决", "答复太笼统")
ARBITRATION = "西宁市劳动人事争议仲裁委员会"
LOCATIONS = ("生产车间东侧", "员工宿舍三楼", "厂区北门", "仓库装卸区", "工地西侧脚手架", "地下车库")

CHUNK = 5000
MEDIATION_SHARE = 0.5  # of legal-aid and dispute tickets once accepted
MEMBER_SHARE = 0.68
KINDS = Weighted.of(KIND_WEIGHTS)
TOPIC_PICKS = {kind: Weighted.of(weights) for kind, weights in TOPICS.items()}
TIERS = Weighted.of({Tier.NORMAL: 80, Tier.HARD: 15, Tier.COMPLEX: 5})
RATINGS = Weighted.of({Rating.SATISFIED: 74, Rating.BASIC: 18, Rating.DISSATISFIED: 8})
CHANNELS = Weighted.of({Channel.H5: 55, Channel.HOTLINE: 30, Channel.API: 15})
EVENING = Weighted(range(24), LEISURE_HOURS)


@dataclass
class _Ticket:
    row: dict[str, Any]
    company: str
    key: int = 0  # the matter's fingerprint, as a number (0: none)
    events: list[dict[str, Any]] = field(default_factory=list)
    claimants: list[dict[str, Any]] = field(default_factory=list)
    mediation: dict[str, Any] | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    end: datetime | None = None  # when the matter stopped being open (None: open now)


class _Router:
    """Routing as the services do it: the nearest union (itself or above) with active writing staff."""

    def __init__(self, tree: Tree) -> None:
        above = list(Union.objects.ancestors_of(tree.root))
        self.parents = {n.pk: n.parent for n in tree.nodes} | {u.pk: u.parent_id for u in above}
        self.names = {n.pk: n.name for n in tree.nodes} | {u.pk: u.name for u in above}
        self.staff: dict[int, list[int]] = {}
        for union, user in (StaffAssignment.objects.filter(union_id__in=list(self.names), role__in=list(WRITE_ROLES),
                                                           user__is_active=True).order_by("union_id", "user_id")
                            .values_list("union_id", "user_id")):
            self.staff.setdefault(union, []).append(user)
        self.children: dict[int, list[int]] = {}
        # 转办 goes sideways, from one district to another (that can accept it).
        self.districts = [n.pk for n in tree.nodes if n.level == UnionLevel.DISTRICT
                          and (not self.staff or n.pk in self.staff)]
        for node in tree.nodes[1:]:
            # 交办 goes to a union that can accept it: one with writing staff, where there are staff at all.
            if not self.staff or node.pk in self.staff:
                self.children.setdefault(node.parent, []).append(node.pk)

    def nearest(self, pk: int) -> int:
        current: int | None = pk
        while current is not None:
            if current in self.staff:
                return current
            current = self.parents.get(current)
        return pk

    def handler(self, rng: random.Random, pk: int) -> int | None:
        staff = self.staff.get(pk)
        return rng.choice(staff) if staff else None


class _Desk:
    """Makes the tickets of a stretch of days and walks each through its life."""

    def __init__(self, tree: Tree, pool: MemberPool, *, seed: int, clock: Clock) -> None:
        self.tree, self.pool, self.clock = tree, pool, clock
        self.rng = stream(seed, "appeals", Ticket.objects.count())
        self.route = _Router(tree)
        self.places = [n for n in tree.nodes if n.level in (UnionLevel.DISTRICT, UnionLevel.STREET)] or tree.nodes
        self.matters = self.known_matters()  # fingerprint → [end of its open time (None: open), ticket]
        self.repeats: list[tuple[dict[str, Any], Any]] = []  # (ticket, the earlier one of the same matter)
        self.counters = dict(CaseCounter.objects.filter(day__gte=clock.first).values_list("day", "last"))
        self.stored = set(self.counters)
        self.dues: dict[tuple[date, str], date] = {}
        self.warns: dict[date, date] = {}

    @staticmethod
    def known_matters() -> dict[int, list[Any]]:
        """The matters of the tickets already there (another run's): open ones must not be raised again."""
        found: dict[int, list[Any]] = {}
        rows = (Ticket.objects.exclude(fingerprint="").order_by("created_at")
                .values_list("fingerprint", "pk", "status", "closed_at", "updated_at").iterator(chunk_size=20_000))
        for mark, pk, status, closed, updated in rows:
            end = None if status in OPEN_STATUSES else closed or updated
            key = int(mark[:15], 16)
            if key not in found or found[key][0] is not None:
                found[key] = [end, pk]
        return found

    # --- Who asks ----------------------------------------------------------------------------------------------

    def askers(self, count: int) -> list[dict[str, Any]]:
        """Who asks, for the next ``count`` tickets: members (with their name, phone and employer) or callers."""
        rng, pool = self.rng, self.pool
        picks = [pool.pick(rng, self.tree.nodes[0]) if len(pool) and rng.random() < MEMBER_SHARE else None
                 for _ in range(count)]
        members = details(pool.pk[i] for i in picks if i is not None)
        companies = names_of(Employer, (pool.employer[i] for i in picks if i is not None))
        return [self.member(i, members, companies) if i is not None else self.caller() for i in picks]

    def member(self, i: int, members: dict[int, tuple[str, str, str, int | None]],
               companies: dict[int, str]) -> dict[str, Any]:
        pool = self.pool
        name, phone, index, user = members[pool.pk[i]]
        employer = pool.employer[i] or None
        channel = CHANNELS.pick(self.rng)
        return {"member_id": pool.pk[i], "base": pool.union[i], "person_name": name, "phone": phone,
                "phone_index": index, "employer_id": employer, "company": companies.get(employer or 0, ""),
                "channel": channel, "submitter_id": user if channel != Channel.HOTLINE else None}

    def caller(self) -> dict[str, Any]:
        rng = self.rng
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}"
        return {"member_id": None, "base": rng.choice(self.places).pk, "phone": phone,
                "person_name": person_name(rng, male=rng.random() < 0.6), "phone_index": crypto.blind_index(
                    "phone", phone), "employer_id": None, "company": "", "channel": Channel.HOTLINE,
                "submitter_id": None}

    # --- One ticket ---------------------------------------------------------------------------------------------

    def due(self, day: date, tier: str) -> date:
        if (day, tier) not in self.dues:
            self.dues[(day, tier)] = due_date(day, tier)
        return self.dues[(day, tier)]

    def matter(self, who: dict[str, Any], kind: str, content: str, created: datetime) -> tuple[str, int, Any]:
        """(fingerprint, its number, the earlier ticket of the same matter); "" when the same matter is
        still open (the service would have recorded a repeat, not a new ticket)."""
        mark = fingerprint(phone_index=who["phone_index"], kind=kind, employer_id=who["employer_id"], content=content)
        key = int(mark[:15], 16)
        earlier = self.matters.get(key)
        if earlier is not None and (earlier[0] is None or earlier[0] > created):
            return "", 0, None
        return mark, key, earlier[1] if earlier is not None else None

    def ticket(self, created: datetime, number: str, who: dict[str, Any]) -> _Ticket:
        rng = self.rng
        kind = KINDS.pick(rng)
        topic = TOPIC_PICKS[kind].pick(rng)
        title, text = rng.choice(TEXTS[topic])
        company = who["company"] or "我们单位"
        content = text.format(e=company)
        mark, key, earlier = self.matter(who, kind, content, created)
        if not mark:  # the same matter is open: this one is about something new
            content += "另外，" + rng.choice(("情况又有了新变化。", "还有一件事想反映。", "同事们也遇到了类似问题。"))
            mark, key, earlier = self.matter(who, kind, content, created)
        tier = TIERS.pick(rng)
        if kind == Kind.DISPUTE and tier == Tier.NORMAL and rng.random() < 0.5:
            tier = Tier.HARD
        landing = self.route.nearest(who["base"])
        collective = kind in (Kind.COMPLAINT, Kind.DISPUTE, Kind.LEGAL) and rng.random() < 0.08
        row = {
            "number": number, "kind": kind, "topic": topic, "title": title.format(e=company)[:60], "content": content,
            "channel": who["channel"], "submitter_id": who["submitter_id"], "member_id": who["member_id"],
            "person_name": who["person_name"][:50], "phone": who["phone"], "phone_index": who["phone_index"],
            "anonymous": kind == Kind.SUGGESTION and rng.random() < 0.3,
            "public": kind in (Kind.CONSULT, Kind.SUGGESTION, Kind.HELP) and rng.random() < 0.3,
            "collective": collective, "headcount": rng.randint(5, 80) if collective else 1,
            "employer_id": who["employer_id"], "location": "", "latitude": None, "longitude": None,
            "union_id": landing, "handler_id": None, "status": Status.PENDING, "tier": tier,
            "due_on": self.due(created.date(), tier), "warned_on": None, "overdue": False, "priority": Priority.NORMAL,
            "supervised_count": 0, "fingerprint": mark, "repeat_count": 0, "repeat_of_id": None, "reply": "",
            "replied_by_id": None, "closed_at": None, "on_time": None, "rating": "", "rating_comment": "",
            "rated_at": None, "reopen_count": 0, "followed_up_at": None, "accepted_at": None, "created_at": created,
            "updated_at": created,
        }
        if kind == Kind.HAZARD:
            row.update(location=f"{company}{rng.choice(LOCATIONS)}",
                       latitude=Decimal(f"{36.55 + rng.random() * 0.15:.6f}"),
                       longitude=Decimal(f"{101.65 + rng.random() * 0.2:.6f}"))
        t = _Ticket(row, company=company if who["company"] else "单位", key=key)
        if earlier is not None:
            self.repeats.append((row, earlier))
        call = who["channel"] == Channel.HOTLINE
        self.event(t, Action.CALL if call else Action.SUBMIT, created, worker=not call, to_union=landing,
                   note="来电登记：12351热线" if call else f"通过{Channel(who['channel']).label}提交")
        if collective:
            phones = {f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}" for _ in range(rng.randint(2, 6))}
            t.claimants = [{"name": person_name(rng, male=rng.random() < 0.6), "phone": phone, "member_id": None,
                            "added_by_id": None, "created_at": created} for phone in sorted(phones)]
        self.handle(t)
        if key:
            self.matters[key] = [t.end, t.row]
        return t

    def event(self, t: _Ticket, action: str, at: datetime, *, note: str = "", worker: bool = False,
              from_union: int | None = None, to_union: int | None = None, shown: bool = True) -> None:
        handler = t.row["handler_id"]
        actor = t.row["submitter_id"] if worker else handler
        t.events.append({"action": action, "actor_id": actor, "from_union_id": from_union,
                         "to_union_id": to_union, "handler_id": handler, "note": note[:500],
                         "shown_to_worker": shown, "created_at": at})
        t.row["updated_at"] = max(t.row["updated_at"], at)

    # --- Its life ------------------------------------------------------------------------------------------------

    def handle(self, t: _Ticket) -> None:
        rng, clock, row = self.rng, self.clock, t.row
        created = row["created_at"]
        age = (clock.now - created).days
        withdrawn = clock.after(rng, created, 2, 48)
        if rng.random() < 0.03 and withdrawn < clock.now:
            row["status"], t.end = Status.WITHDRAWN, withdrawn
            self.event(t, Action.WITHDRAW, withdrawn, note="问题已自行解决", worker=True)
            return
        closing = rng.random() < (0.97 if age > 30 else 0.8 if age > 7 else 0.4 if age > 1 else 0.1)
        at = clock.after(rng, created, 0.5, 30)
        if rng.random() < 0.18 and at < clock.now:
            at = self.hop(t, at)
        if at < clock.now:
            self.accept(t, at)
            if rng.random() < 0.07:
                self.supervise(t, clock.after(rng, at, 24, 96))
            if row["kind"] in MEDIATION_KINDS and rng.random() < MEDIATION_SHARE:
                self.mediate(t, closing)
            if closing:
                self.close(t)
        if row["status"] != Status.CLOSED:
            self.late(t)

    def hop(self, t: _Ticket, at: datetime) -> datetime:
        """交办 down to a union below the owner, 上报 to the one above, or now and then 转办 from a district
        to another; it waits there to be accepted."""
        rng, row = self.rng, t.row
        owner = row["union_id"]
        below, parent = self.route.children.get(owner, []), self.route.parents.get(owner)
        sideways = [d for d in self.route.districts if d != owner] if owner in self.route.districts else []
        if sideways and rng.random() < 0.1:
            target = rng.choice(sideways)
            self.event(t, Action.TRANSFER, at, note=f"转办至{self.route.names[target]}：{rng.choice(TRANSFER_NOTES)}",
                       from_union=owner, to_union=target)
        elif below and (parent is None or rng.random() < 0.7):
            target = rng.choice(below)
            self.event(t, Action.ASSIGN, at, note=f"交办至{self.route.names[target]}", from_union=owner,
                       to_union=target)
        elif parent is not None:
            target = self.route.nearest(parent)
            self.event(t, Action.ESCALATE, at, note=f"上报至{self.route.names[target]}：{rng.choice(ESCALATE_NOTES)}",
                       from_union=owner, to_union=target)
        else:
            return at
        row["union_id"] = target
        return self.clock.after(rng, at, 1, 24)

    def accept(self, t: _Ticket, at: datetime) -> None:
        row = t.row
        row |= {"status": Status.PROCESSING, "accepted_at": at,
                "handler_id": self.route.handler(self.rng, row["union_id"])}
        self.event(t, Action.ACCEPT, at, note=f"{self.route.names.get(row['union_id'], '')}已受理")

    def supervise(self, t: _Ticket, at: datetime) -> None:
        if at < self.clock.now:
            row = t.row
            row["priority"] = min(row["priority"] + 1, Priority.KEY)
            row["supervised_count"] += 1
            self.event(t, Action.SUPERVISE, at, note=f"上级工会督办：{self.rng.choice(SUPERVISE_NOTES)}")

    def close(self, t: _Ticket) -> None:
        """答复办结 some time after the last step (mostly by the due date), then maybe a rating or a call back."""
        rng, clock, row = self.rng, self.clock, t.row
        start = row["updated_at"]
        allowed = max(1, (row["due_on"] - start.date()).days + 1)
        at = clock.after(rng, start, 2, 24 * allowed * rng.uniform(0.3, 1.3))
        if at >= clock.now:
            return
        reply = REPLIES[row["topic"]].format(e=t.company)
        row |= {"status": Status.CLOSED, "reply": reply, "replied_by_id": row["handler_id"], "closed_at": at,
                "on_time": at.date() <= row["due_on"]}
        t.end = at
        self.event(t, Action.CLOSE, at, note=reply)
        if rng.random() < 0.7:
            self.rate(t, at)
        elif rng.random() < 0.4:
            self.follow_up(t, at)

    def rate(self, t: _Ticket, closed: datetime) -> None:
        rng, clock, row = self.rng, self.clock, t.row
        at = clock.after(rng, closed, 1, 72)
        if at >= clock.now:
            return
        rating = RATINGS.pick(rng)
        comment = rng.choice(DISSATISFIED_NOTES) if rating == Rating.DISSATISFIED else ""
        row.update(rating=rating, rating_comment=comment, rated_at=at)
        self.event(t, Action.RATE, at, note=Rating(rating).label + (f"：{comment}" if comment else ""), worker=True)
        if rating == Rating.DISSATISFIED and not row["reopen_count"] and rng.random() < 0.3:
            self.reopen(t, at)

    def reopen(self, t: _Ticket, rated: datetime) -> None:
        """不满意 → 重新办理 once: a fresh deadline, the rating cleared; mostly closed again."""
        at = self.clock.after(self.rng, rated, 1, 48)
        if at >= self.clock.now:
            return
        t.row |= {"status": Status.PROCESSING, "reopen_count": 1, "rating": "", "rating_comment": "",
                  "rated_at": None, "closed_at": None, "on_time": None, "due_on": self.due(at.date(), t.row["tier"]),
                  "overdue": False, "warned_on": None}
        t.end = None
        self.event(t, Action.REOPEN, at, note=f"职工申请重新办理：{self.rng.choice(DISSATISFIED_NOTES)}", worker=True)
        if self.rng.random() < 0.8:
            self.close(t)

    def follow_up(self, t: _Ticket, closed: datetime) -> None:
        """回访; when the worker did not rate, the satisfaction given on the phone may be recorded."""
        rng, row = self.rng, t.row
        at = self.clock.after(rng, closed, 24, 24 * 5)
        if at >= self.clock.now:
            return
        note = rng.choice(FOLLOW_UP_NOTES)
        row["followed_up_at"] = at
        if rng.random() < 0.3:
            rating = RATINGS.pick(rng)
            row.update(rating=rating, rating_comment=f"回访：{note}"[:300], rated_at=at)
            note += f"（回访满意度：{Rating(rating).label}）"
        self.event(t, Action.FOLLOW_UP, at, note=note, shown=False)

    def late(self, t: _Ticket) -> None:
        """What the daily deadline job did to a ticket still open: warned it the working day before
        its due date, then flagged it overdue and escalated it to the union above."""
        clock, row = self.clock, t.row
        yesterday = clock.today - timedelta(days=1)
        due = row["due_on"]
        if due not in self.warns:
            self.warns[due] = add_workdays(due, -1)
        warn_day = max(row["created_at"].date(), self.warns[due])
        if warn_day > yesterday:
            return
        row["warned_on"] = warn_day
        self.event(t, Action.WARN, max(clock.midnight(warn_day) + timedelta(hours=1), row["updated_at"]),
                   note=f"将于{due:%Y-%m-%d}到期", shown=False)
        flagged = due + timedelta(days=1)
        if flagged > yesterday:
            return
        at = max(clock.midnight(flagged) + timedelta(hours=1), row["updated_at"])
        row["overdue"] = True
        self.event(t, Action.OVERDUE, at, note=f"已超过办理期限（{due:%Y-%m-%d}）", shown=False)
        parent = self.route.parents.get(row["union_id"])
        if parent is not None:
            owner, target = row["union_id"], self.route.nearest(parent)
            row |= {"union_id": target, "handler_id": None, "status": Status.PENDING}
            self.event(t, Action.AUTO_ESCALATE, at, note=f"超期未办结，自动上报至{self.route.names[target]}",
                       from_union=owner, to_union=target)

    def mediate(self, t: _Ticket, closing: bool) -> None:
        """劳动争议调解: opened after acceptance, a few sessions, concluded before the ticket closes."""
        rng, clock, row = self.rng, self.clock, t.row
        opened = clock.after(rng, row["updated_at"], 2, 72)
        if opened >= clock.now:
            return
        amount = Decimal(rng.randrange(3000, 60000, 100))
        applicant = row["person_name"] or "申请人"
        t.mediation = {"status": MediationStatus.OPEN, "applicant": applicant, "respondent": t.company,
                       "respondent_employer_id": row["employer_id"], "claim": "请求支付相关款项及经济补偿",
                       "claim_amount": amount, "outcome": "", "agreed_amount": None, "arbitration_body": "",
                       "mediator_id": row["handler_id"], "opened_at": opened, "concluded_at": None}
        self.event(t, Action.MEDIATION_OPEN, opened, note=f"启动劳动争议调解：{applicant} 与 {t.company}")
        held = opened
        for n in range(rng.randint(1, 3)):
            held = clock.after(rng, held, 24, 120)
            if held >= clock.now:
                break
            t.sessions.append({"held_at": held, "place": "职工法律服务站调解室",
                               "attendees": "申请人、被申请人、工会调解员",
                               "notes": "双方陈述事实，调解员释明法律规定" + ("，双方初步达成一致意见" if n else ""),
                               "recorded_by_id": row["handler_id"], "created_at": held})
            self.event(t, Action.MEDIATION_SESSION, held, note=f"第{n + 1}次调解")
        done = clock.after(rng, held, 2, 24)
        if not (closing and t.sessions and done < clock.now):
            return
        if rng.random() < 0.65:
            agreed = (amount * Decimal(rng.choice(("0.6", "0.75", "0.9", "1")))).quantize(Decimal("0.01"))
            t.mediation |= {"status": MediationStatus.SUCCEEDED, "agreed_amount": agreed,
                           "outcome": f"双方达成调解协议，单位于十五日内支付{agreed}元"}
        else:
            t.mediation |= {"status": MediationStatus.FAILED, "arbitration_body": ARBITRATION,
                           "outcome": "单位不同意支付，调解不成"}
        t.mediation["concluded_at"] = done
        self.event(t, Action.MEDIATION_CLOSE, done, note=t.mediation["outcome"])

    # --- Writing -------------------------------------------------------------------------------------------------

    def write(self, tickets: list[_Ticket], days: list[date]) -> int:
        """Insert the tickets with their timelines, claimants and mediations, and the days' counters."""
        rows = [t.row for t in tickets]
        with_ids(Ticket, rows)
        insert(Ticket, rows)
        insert(TicketEvent, [{**e, "ticket_id": t.row["id"]} for t in tickets for e in t.events])
        insert(Claimant, [{**c, "ticket_id": t.row["id"]} for t in tickets for c in t.claimants])
        mediated = [t for t in tickets if t.mediation is not None]
        mediations = [{**t.mediation, "ticket_id": t.row["id"]} for t in mediated]
        with_ids(Mediation, mediations)
        insert(Mediation, mediations)
        insert(MediationSession, [{**s, "mediation_id": m["id"]} for t, m in zip(mediated, mediations, strict=True)
                                  for s in t.sessions])
        self.count(days)
        for t in tickets:  # keep only the key of a written ticket, not its row
            entry = self.matters.get(t.key)
            if entry is not None and entry[1] is t.row:
                entry[1] = t.row["id"]
        return len(rows)

    def link_repeats(self) -> None:
        """Point the tickets of a matter raised again at the earlier ticket. Done last: written on
        several connections at once, a batch cannot refer to another batch's rows before they commit."""
        links = [Ticket(pk=row["id"], repeat_of_id=earlier if isinstance(earlier, int) else earlier["id"])
                 for row, earlier in self.repeats]
        with transaction.atomic():
            Ticket.objects.bulk_update(links, ["repeat_of_id"], batch_size=1000)

    def count(self, days: list[date]) -> None:
        """The days' case-number counters, equal to their last number."""
        fresh = [d for d in days if d not in self.stored]
        insert(CaseCounter, [{"day": d, "last": self.counters[d]} for d in fresh])
        self.stored.update(fresh)
        for day in days:
            if day not in fresh:
                CaseCounter.objects.filter(day=day).update(last=self.counters[day])

    def number(self, day: date) -> str:
        self.counters[day] = self.counters.get(day, 0) + 1
        return format_number(day, self.counters[day])


def build_tickets(tree: Tree, pool: MemberPool, *, tickets: int, seed: int, clock: Clock,
                  progress: Progress | None = None) -> dict[str, int]:
    """``tickets`` tickets over the history, day by day in arrival order, about ``CHUNK`` per transaction."""
    desk = _Desk(tree, pool, seed=seed, clock=clock)
    rng = desk.rng
    per_day = clock.per_day(rng, tickets)
    pending: list[tuple[datetime, date]] = []
    with Writer(progress, workers=2) as writer:
        for index, count in enumerate(per_day):
            day = clock.first + timedelta(days=index)
            hours = EVENING if rng.random() < 0.3 else OFFICE
            pending += [(moment, day) for moment in sorted(clock.on_day(rng, index, hours) for _ in range(count))]
            if pending and (len(pending) >= CHUNK or index == len(per_day) - 1):
                askers = desk.askers(len(pending))
                made = [desk.ticket(moment, desk.number(day), who)
                        for (moment, day), who in zip(pending, askers, strict=True)]
                writer.submit(partial(desk.write, made, sorted({day for _, day in pending})))
                pending = []
    desk.link_repeats()
    return {"tickets": writer.done}
