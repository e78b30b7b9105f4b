"""Demo 12351 work orders: the showcase around the generated tickets, and the replies unions write
(``REPLIES``, for the generator's tickets and the named ones alike; the kinds, topics, texts and
handling notes the generator draws from are in ``gonghui/seed/appeals.py``).

The bulk — a few thousand tickets over the last year, in every state, across the demo tree, with
their timelines (hops, supervision, ratings, reopenings, follow-ups), case numbers, collective
cases and dispute mediations — is the generator's (``gonghui/seed/appeals.py``, called by
``gonghui.seed.demo.build_appeals`` at demo size). ``build(rng)`` then adds photos to the latest
hazard reports, and the named worker logins' tickets (职工 13900000010, 骑手 13900000011) through the
real services — submit, accept, supervise, close, rate, mediation — so their notifications, audit
rows and timelines are the real ones, moved back a few days so that the pages look lived in.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, F, Q
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.scope import WRITE_ROLES
from gonghui.lib.workdays import add_workdays
from gonghui.unions.models import Union, UnionLevel

from .models import (
    Action,
    Attachment,
    CaseCounter,
    Kind,
    Mediation,
    MediationSession,
    MediationStatus,
    Priority,
    Rating,
    Stage,
    Status,
    Ticket,
    TicketEvent,
    Tier,
    Topic,
)
from .services.common import deadline_days

DEFAULT_TICKETS = 3000
DAYS_BACK = 365
WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"

REPLIES: dict[str, str] = {
    Topic.WAGES: (
        "经我会与{e}沟通协调，单位已承诺于本月底前结清所欠工资，我会将持续跟踪落实情况。如逾期未付"
        "，可向劳动保障监察部门投诉，我会提供法律援助。"
    ),
    Topic.CONTRACT: (
        "根据《劳动合同法》第八十二条，用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合"
        "同的，应当向劳动者每月支付二倍的工资。我会已督促单位补签合同。"
    ),
    Topic.INSURANCE: (
        "依法参加社会保险是用人单位的法定义务，试用期也应缴纳。我会已向单位发出工会劳动法律监督意见书"
        "，单位已为您补缴。灵活就业人员可持身份证到社保经办机构或线上办理参保。"
    ),
    Topic.HOURS: (
        "我会已约谈单位负责人，单位承诺调整排班，保证职工每周至少休息一天，加班按规定支付加班费。产假"
        "按国家规定为98天，本省另有延长规定。"
    ),
    Topic.SAFETY: (
        "接到反映后我会会同应急管理部门到现场核查，已责令单位立即整改，消防通道已清理，安全出口已打开"
        "。感谢您对安全生产的关心。"
    ),
    Topic.INJURY: (
        "单位应当自事故伤害发生之日起30日内提出工伤认定申请；单位不申报的，您本人可在一年内直接申请"
        "。我会已安排法律援助律师协助您准备材料。"
    ),
    Topic.DISMISSAL: (
        "用人单位违法解除劳动合同的，应依法支付赔偿金。我会已介入协调，单位同意撤回辞退决定；如协商不"
        "成，可申请劳动争议调解或仲裁，我会全程提供法律援助。"
    ),
    Topic.HARDSHIP: (
        "经核实，您符合困难职工帮扶条件，我会已将您纳入帮扶名单，将发放临时救助金，并协助申请医疗救助"
        "。请保持电话畅通。"
    ),
    Topic.MEMBERSHIP: (
        "您可以通过“入会”功能在线申请加入工会，选择所在单位或所在地的工会联合会即可。入会后可享受工"
        "会普惠服务、参加工会活动。"
    ),
    Topic.GIG: (
        "我会已就您反映的问题与平台企业开展集体协商，推动完善算法规则和申诉机制；全市已建成暖心驿站百"
        "余个，可在首页“找驿站”查看。"
    ),
    Topic.MANAGEMENT: (
        "您的建议已转交单位，单位高度重视，已安排技术部门论证，采纳后将按合理化建议办法给予奖励。"
    ),
    Topic.OTHER: (
        "感谢您的咨询，相关活动信息会在工会服务号和本平台发布，请留意通知。"
    ),
}


@dataclass
class World:
    """The unions and their writing staff, for the named workers' tickets."""

    unions: dict[int, Union]
    staff: dict[int, list[int]]  # union pk → users with a writing role there
    districts: list[Union]

    @classmethod
    def load(cls) -> World:
        unions = {u.pk: u for u in Union.objects.active()}
        staff: dict[int, list[int]] = defaultdict(list)
        for union_id, user_id in StaffAssignment.objects.filter(
                role__in=list(WRITE_ROLES), user__is_active=True).values_list("union_id", "user_id"):
            staff[union_id].append(user_id)
        return cls(unions=unions, staff=dict(staff),
                   districts=[u for u in unions.values() if u.level == UnionLevel.DISTRICT])

    def nearest_staffed(self, union: Union) -> Union:
        for pk in reversed([*union.ancestor_ids, union.pk]):
            if self.staff.get(pk) and pk in self.unions:
                return self.unions[pk]
        return union

    def staff_of(self, union: Union) -> list[int]:
        return self.staff.get(union.pk) or self.staff.get(self.nearest_staffed(union).pk, [])

    def parent(self, union: Union) -> Union | None:
        return self.unions.get(union.parent_id) if union.parent_id else None



def tiny_png(rgb: tuple[int, int, int], width: int = 48, height: int = 36) -> bytes:
    """A valid solid-colour PNG (a stand-in for a hazard photo)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# --- Writing -------------------------------------------------------------------------------------------------------


def attach_photos(rng: random.Random, *, limit: int = 40) -> int:
    """Photos for the most recent hazard reports that have none (files on disk: keep the demo's media
    folder small). The generator writes tickets set-based; their photos are files, made here."""
    recent = (Ticket.objects.filter(kind=Kind.HAZARD, attachments__isnull=True).order_by("-created_at")
              .values_list("pk", "submitter_id", "created_at")[:limit])
    made = 0
    for pk, submitter, created in recent:
        colour = (rng.randint(90, 200), rng.randint(70, 160), rng.randint(40, 120))
        attachment = Attachment(ticket_id=pk, stage=Stage.INTAKE, content_type="image/png", name="现场照片.png",
                                uploaded_by_id=submitter, created_at=created)
        data = tiny_png(colour)
        attachment.size = len(data)
        attachment.file.save("upload", ContentFile(data), save=False)
        attachment.save()
        made += 1
    return made



# --- The named logins, through the services -------------------------------------------------------------------------


def _shift(ticket: Ticket, days: int) -> None:
    """Move a ticket made just now ``days`` back, with its timeline, keeping its deadline logic."""
    delta = timedelta(days=days)
    ticket.refresh_from_db()
    changes: dict[str, Any] = {"created_at": ticket.created_at - delta, "updated_at": ticket.updated_at - delta}
    for name in ("accepted_at", "closed_at", "rated_at", "followed_up_at"):
        if getattr(ticket, name) is not None:
            changes[name] = getattr(ticket, name) - delta
    received = timezone.localtime(changes["created_at"]).date()
    changes["due_on"] = add_workdays(received, deadline_days()[ticket.tier])
    # The case number carries the day received: take one of the new day, and give today's back
    # (the ticket was just made, so it holds today's last number).
    from .services.numbers import next_case_number

    today = timezone.localtime(ticket.created_at).date()
    if CaseCounter.objects.filter(day=today, last=int(ticket.number[-6:])).update(last=F("last") - 1):
        changes["number"] = next_case_number(received)
    if ticket.closed_at is not None:
        changes["on_time"] = timezone.localtime(changes["closed_at"]).date() <= changes["due_on"]
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
    for event in TicketEvent.objects.filter(ticket=ticket):
        TicketEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - delta)
    for found in Mediation.objects.filter(ticket=ticket):
        Mediation.objects.filter(pk=found.pk).update(opened_at=found.opened_at - delta)
        for session in found.sessions.all():
            MediationSession.objects.filter(pk=session.pk).update(held_at=session.held_at - delta,
                                                                  created_at=session.created_at - delta)


def _named(rng: random.Random, world: World) -> int:
    """The demo workers' own tickets, made through the services: one in each state they can act on."""
    from .access import access_ticket
    from .services import handling, intake, mediation

    made = 0
    worker = User.objects.by_phone(WORKER_PHONE).first()
    rider = User.objects.by_phone(RIDER_PHONE).first()

    def staff_for(ticket: Ticket) -> User:
        pk = rng.choice(world.staff_of(ticket.union))
        return User.objects.get(pk=pk)

    def gated(actor: User, ticket: Ticket) -> Ticket:
        return access_ticket(actor, ticket.uuid, write=True)

    place = world.districts[0] if world.districts else None  # for a worker who is not a member
    if worker is not None:
        # 1. answered and rated 满意 (three weeks ago)
        t = intake.ticket_submit(place=place, actor=worker, kind=Kind.CONSULT, topic=Topic.INSURANCE, public=True,
                                 content="试用期单位不给交社保，这样合法吗？转正后能补缴吗？").ticket
        officer = staff_for(t)
        handling.ticket_accept(actor=officer, ticket=gated(officer, t))
        handling.ticket_close(actor=officer, ticket=gated(officer, t), reply=REPLIES[Topic.INSURANCE])
        handling.ticket_rate(actor=worker, ticket=Ticket.objects.get(pk=t.pk), rating=Rating.SATISFIED,
                             comment="答复很及时，谢谢工会")
        _shift(t, 21)
        # 2. answered, waiting for the worker's rating — 不满意 then lets them reopen once
        t = intake.ticket_submit(place=place, actor=worker, kind=Kind.COMPLAINT, topic=Topic.HOURS,
                                 content="车间连续三个周末安排加班，不给调休也不发加班费，大家意见很大。").ticket
        officer = staff_for(t)
        handling.ticket_accept(actor=officer, ticket=gated(officer, t), tier=Tier.NORMAL)
        handling.ticket_close(actor=officer, ticket=gated(officer, t), reply=REPLIES[Topic.HOURS])
        _shift(t, 4)
        # 3. being processed, supervised from above
        t = intake.ticket_submit(place=place, actor=worker, kind=Kind.HELP, topic=Topic.HARDSHIP,
                                 content="母亲住院做手术，花了六万多元，医保报销后还差三万，想申请困难帮扶。").ticket
        officer = staff_for(t)
        handling.ticket_accept(actor=officer, ticket=gated(officer, t), tier=Tier.HARD)
        parent = world.parent(t.union)
        upper = User.objects.filter(pk__in=world.staff_of(parent)).first() if parent is not None else None
        if upper is not None and handling.can_supervise(upper, Ticket.objects.select_related("union").get(pk=t.pk)):
            handling.ticket_supervise(actor=upper, ticket=gated(upper, t), note="请优先办理，按时反馈")
        _shift(t, 3)
        # 4. a hazard photo just sent (pending)
        photo = ContentFile(tiny_png((180, 120, 60)), name="隐患.png")
        intake.ticket_submit(place=place, actor=worker, kind=Kind.HAZARD, location="奶粉车间东侧配电柜",
                             content="配电柜门一直敞开，旁边堆着纸箱，地面有积水，存在触电和火灾隐患。", files=[photo])
        made += 4
    if rider is not None:
        # 5. a dispute in mediation
        t = intake.ticket_submit(place=place, actor=rider, kind=Kind.DISPUTE, topic=Topic.WAGES, collective=True,
                                 headcount=12, content="配送站站长跑路，我们12个骑手两个月的配送费共四万多元"
                                 "没有结算，平台说和站点结算了。").ticket
        officer = staff_for(t)
        handling.ticket_accept(actor=officer, ticket=gated(officer, t), tier=Tier.HARD)
        ticket = gated(officer, t)
        m = mediation.mediation_open(actor=officer, ticket=ticket, applicant="李骑手等12人",
                                     respondent="配送站点运营公司", claim="支付拖欠的两个月配送费",
                                     claim_amount="43600")
        _shift(t, 6)  # opened six days ago; the session was held yesterday
        m = Mediation.objects.select_related("ticket__union").get(pk=m.pk)
        mediation.mediation_add_session(actor=officer, mediation=m, held_at=timezone.now() - timedelta(hours=30),
                                        notes="平台与站点运营公司到场，双方对结算金额核对一致，约定下次调解确定支付方式。",
                                        place="城中区总工会调解室", attendees="骑手代表3人、站点负责人、平台代表")
        # 6. a public question, answered (on the message board)
        t = intake.ticket_submit(place=place, actor=rider, kind=Kind.CONSULT, topic=Topic.GIG, public=True,
                                 content="我们骑手没有固定单位，可以加入工会吗？入会要交会费吗？").ticket
        officer = staff_for(t)
        handling.ticket_close(actor=officer, ticket=gated(officer, t),
                              reply="新就业形态劳动者可以加入工会：通过首页“入会”选择所在行业的工会联合会"
                                    "即可在线申请。会费按本人工资收入的5‰缴纳，困难会员可申请减免。")
        handling.ticket_rate(actor=rider, ticket=Ticket.objects.get(pk=t.pk), rating=Rating.SATISFIED)
        _shift(t, 12)
        made += 2
    return made


# --- Entry point --------------------------------------------------------------------------------------------------


def build(rng: random.Random) -> list[str]:
    """The showcase around the generated tickets: photos for the latest hazard reports and the named
    workers' own tickets through the services; returns the summary lines.

    Preconditions: inside the demo's transaction, after the unions, accounts and members demos and
    the generated tickets (``gonghui.seed.demo.build_appeals``, which calls this).
    """
    world = World.load()
    if not world.unions or not world.staff:
        return ["12351诉求：演示数据中没有工会或工作人员，未生成工单"]
    attach_photos(rng)
    named = _named(rng, world)
    return summary(named=named)



def counts() -> dict[str, Any]:
    tickets = Ticket.objects.aggregate(
        total=Count("id"), overdue=Count("id", filter=Q(overdue=True, status__in=[Status.PENDING, Status.PROCESSING])),
        supervised=Count("id", filter=Q(priority__gte=Priority.SUPERVISED)),
        closed=Count("id", filter=Q(status=Status.CLOSED)), on_time=Count("id", filter=Q(on_time=True)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
        public=Count("id", filter=Q(public=True, status=Status.CLOSED)),
        collective=Count("id", filter=Q(collective=True)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )
    states = Counter(Ticket.objects.values_list("status", flat=True))
    kinds = Counter(Ticket.objects.values_list("kind", flat=True))
    mediations = Counter(Mediation.objects.values_list("status", flat=True))
    return {**tickets, "states": {Status(s).label: states.get(s, 0) for s in Status.values},
            "kinds": {Kind(k).label: kinds.get(k, 0) for k in Kind.values},
            "mediations": {MediationStatus(s).label: mediations.get(s, 0) for s in MediationStatus.values},
            "hops": TicketEvent.objects.filter(action__in=[Action.ASSIGN, Action.ESCALATE, Action.TRANSFER,
                                                           Action.AUTO_ESCALATE]).count()}


def summary(*, named: int = 0) -> list[str]:
    c = counts()
    states = "、".join(f"{label}{n}" for label, n in c["states"].items())
    kinds = "、".join(f"{label}{n}" for label, n in c["kinds"].items())
    on_time = f"{100 * c['on_time'] / c['closed']:.1f}%" if c["closed"] else "—"
    satisfied = f"{100 * c['satisfied'] / c['rated']:.1f}%" if c["rated"] else "—"
    mediations = "、".join(f"{label}{n}" for label, n in c["mediations"].items())
    return [
        f"12351诉求工单 {c['total']} 件（{states}）：{kinds}",
        f"  交办/上报/转办 {c['hops']} 次，督办 {c['supervised']} 件，在办超期 {c['overdue']} 件，"
        f"按时办结率 {on_time}，满意率 {satisfied}，重新办理 {c['reopened']} 件",
        f"  群体诉求 {c['collective']} 件，劳动争议调解（{mediations}），留言板公开 {c['public']} 条；"
        f"演示职工本人的工单 {named} 件",
    ]
