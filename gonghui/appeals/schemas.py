"""API schemas of the appeals app: separate In and Out shapes; the asker's identity is filled in
by ``ticket_payload`` according to who is asking (handling unit, supervising level, the worker)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema

from gonghui.core.schemas import ConsoleQuery
from gonghui.unions.schemas import UnionRef

from .access import sees_identity
from .models import Attachment, Mediation, Rating, Stage, Ticket
from .services.deadlines import remaining_workdays
from .services.handling import can_reopen


class TicketEventOut(Schema):
    action: str
    action_label: str
    note: str
    actor: str | None = Field(None, description="办理人姓名；系统操作为“系统”，职工本人为“本人”")
    from_union: str | None = None
    to_union: str | None = None
    handler: str | None = None
    created_at: datetime


class AttachmentOut(Schema):
    uuid: UUID
    name: str
    content_type: str
    size: int
    stage: str
    url: str


class SessionOut(Schema):
    held_at: datetime
    place: str
    attendees: str
    notes: str


class MediationOut(Schema):
    uuid: UUID
    status: str
    status_label: str
    applicant: str
    respondent: str
    claim: str
    claim_amount: Decimal | None
    outcome: str
    agreed_amount: Decimal | None
    arbitration_body: str
    sessions: list[SessionOut]


class TicketListOut(Schema):
    uuid: UUID
    number: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    topic: str
    title: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    tier: str
    due_on: date
    remaining_workdays: int | None = Field(None, description="距办理期限的工作日数（负数为已超期）；已办结为空")
    overdue: bool
    priority: int
    supervised_count: int
    repeat_count: int
    union: UnionRef
    handler: str | None
    asker: str = Field(..., alias="asker_masked", description="诉求人（脱敏；匿名建议为“匿名”）")
    created_at: datetime
    closed_at: datetime | None
    rating: str

    @staticmethod
    def resolve_remaining_workdays(obj: Ticket) -> int | None:
        return remaining_workdays(obj.due_on) if obj.is_open else None

    @staticmethod
    def resolve_handler(obj: Ticket) -> str | None:
        return obj.handler.name if obj.handler_id else None


class TicketOut(TicketListOut):
    # The asker as this caller may see them (ticket_payload), not always the masked name.
    asker: str = Field(..., description="诉求人（脱敏；匿名建议为“匿名”）")
    content: str
    channel: str
    anonymous: bool
    public: bool
    collective: bool
    headcount: int
    employer: str | None
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    phone: str = Field("", description="联系电话（脱敏）；仅承办单位可见")
    identity_visible: bool = Field(..., description="调用者是否可见诉求人身份（承办单位）")
    reply: str
    on_time: bool | None
    rating_comment: str
    reopen_count: int
    can_reopen: bool
    repeat_of: str | None = Field(None, description="此前已办结的同一事项的工单编号")
    events: list[TicketEventOut] = Field(..., alias="events_payload")
    attachments: list[AttachmentOut] = Field(..., alias="attachments_payload")
    mediation: MediationOut | None = Field(..., alias="mediation_payload")

    @staticmethod
    def resolve_asker(obj: Ticket) -> str:
        if obj.identity_visible and not obj.anonymous:
            return obj.person_name or "职工"
        return obj.asker_masked

    @staticmethod
    def resolve_phone(obj: Ticket) -> str:
        return obj.masked_phone if obj.identity_visible else ""

    @staticmethod
    def resolve_employer(obj: Ticket) -> str | None:
        return obj.employer.name if obj.employer_id else None

    @staticmethod
    def resolve_can_reopen(obj: Ticket) -> bool:
        return can_reopen(obj)

    @staticmethod
    def resolve_repeat_of(obj: Ticket) -> str | None:
        return obj.repeat_of.number if obj.repeat_of_id else None


def _attachment(item: Attachment) -> dict[str, Any]:
    return {"uuid": item.uuid, "name": item.name, "content_type": item.content_type, "size": item.size,
            "stage": item.stage, "url": reverse("appeals:attachment", args=[item.uuid])}


def _mediation(ticket: Ticket) -> dict[str, Any] | None:
    found = Mediation.objects.filter(ticket=ticket).prefetch_related("sessions").first()
    if found is None:
        return None
    return {"uuid": found.uuid, "status": found.status, "status_label": found.get_status_display(),
            "applicant": found.applicant, "respondent": found.respondent, "claim": found.claim,
            "claim_amount": found.claim_amount, "outcome": found.outcome, "agreed_amount": found.agreed_amount,
            "arbitration_body": found.arbitration_body,
            "sessions": [{"held_at": s.held_at, "place": s.place, "attendees": s.attendees, "notes": s.notes}
                         for s in found.sessions.all()]}


def ticket_fresh(ticket: Ticket, user: Any, *, as_staff: bool) -> Ticket:
    """The ticket read again after a change (its related rows in the same query), decorated for TicketOut."""
    fresh = Ticket.objects.select_related("union", "handler", "employer", "repeat_of").get(pk=ticket.pk)
    return ticket_payload(fresh, user, as_staff=as_staff)


def ticket_payload(ticket: Ticket, user: Any, *, as_staff: bool) -> Ticket:
    """Decorate ``ticket`` for TicketOut: the identity, timeline and files this caller may see."""
    identity = as_staff and sees_identity(user, ticket)
    own = not as_staff
    events = ticket.events.select_related("actor", "from_union", "to_union", "handler")
    if own:
        events = events.filter(shown_to_worker=True)
    rows = []
    for e in events:
        if e.actor_id is None:
            actor = "系统" if e.action in ("warn", "overdue", "auto_escalate") else None
        elif e.actor_id == ticket.submitter_id:
            actor = "本人" if own else ("诉求人" if not identity else e.actor.name)
        else:
            actor = e.actor.name if as_staff else None
        rows.append({"action": e.action, "action_label": e.get_action_display(),
                     "note": e.worker_note if own else e.note, "actor": actor,
                     "from_union": e.from_union.name if e.from_union_id else None,
                     "to_union": e.to_union.name if e.to_union_id else None,
                     "handler": e.handler.name if (e.handler_id and as_staff) else None, "created_at": e.created_at})
    files = ticket.attachments.all() if as_staff else ticket.attachments.exclude(stage=Stage.MEDIATION)
    ticket.events_payload = rows
    ticket.identity_visible = identity or own
    ticket.attachments_payload = [_attachment(a) for a in files]
    ticket.mediation_payload = _mediation(ticket)
    return ticket


class SubmitOut(Schema):
    linked: bool = Field(..., description="同一事项已有在办工单：本次记为重复来件，返回原工单")
    ticket: TicketOut | None = Field(
        ..., description="登记或关联的工单；关联到本人权限范围以外的原工单时为空（不透露其他单位的工单）")


class SubmitIn(Schema):
    kind: str = Field(..., description="consult 问题咨询 / help 服务帮扶 / complaint 信访投诉 / legal 法律援助 / "
                                       "suggestion 意见建议 / hazard 安全隐患随手拍 / dispute 劳动争议调解")
    content: str = Field(..., max_length=2000)
    title: str = Field("", max_length=60)
    topic: str = ""
    employer: UUID | None = Field(None, description="涉及的单位（意见建议可提给该单位）")
    place: UUID | None = Field(None, description="事发地工会（非会员必填，会员可省略）")
    location: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    anonymous: bool = Field(False, description="匿名（仅意见建议）")
    public: bool = Field(False, description="公开到留言板（姓名隐去）")
    collective: bool = False
    headcount: int | None = Field(None, ge=1, le=100000)


class CallIn(Schema):
    phone: str = Field(..., max_length=20)
    caller_name: str = Field("", max_length=50)
    kind: str
    content: str = Field(..., max_length=2000)
    title: str = Field("", max_length=60)
    topic: str = ""
    employer: UUID | None = None
    place: UUID | None = None
    location: str = Field("", max_length=200)
    collective: bool = False
    headcount: int | None = Field(None, ge=1, le=100000)


class TicketNoteIn(Schema):
    note: str = Field("", max_length=500)


class TicketReasonIn(Schema):
    reason: str = Field("", max_length=500)


class AcceptIn(Schema):
    tier: str | None = None
    topic: str | None = None
    note: str = Field("", max_length=500)


class ClassifyIn(Schema):
    tier: str | None = None
    topic: str | None = None


class TicketAssignIn(Schema):
    union: UUID | None = Field(None, description="交办给的下级工会；省略时交给经办人所在单位")
    handler: UUID | None = Field(None, description="经办人（用户标识）")
    note: str = Field("", max_length=500)


class TicketTransferIn(Schema):
    union: UUID
    reason: str = Field(..., max_length=500)


class CloseIn(Schema):
    reply: str = Field(..., max_length=2000)


class RateIn(Schema):
    rating: Rating
    comment: str = Field("", max_length=300)


class FollowUpIn(Schema):
    note: str = Field(..., max_length=500)
    rating: str = Field("", description="职工未评价时，可记录回访满意度：satisfied / basic / dissatisfied")


class ClaimantIn(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)


class ClaimantOut(Schema):
    name: str = Field(..., alias="masked_name")
    phone: str = Field(..., alias="masked_phone")
    member: bool

    @staticmethod
    def resolve_member(obj: Any) -> bool:
        return obj.member_id is not None


class MediationIn(Schema):
    applicant: str = Field(..., max_length=100)
    respondent: str = Field("", max_length=200)
    claim: str = Field(..., max_length=2000)
    claim_amount: Decimal | None = None


class SessionIn(Schema):
    held_at: datetime
    notes: str = Field(..., max_length=2000)
    place: str = Field("", max_length=100)
    attendees: str = Field("", max_length=300)


class MediationConcludeIn(Schema):
    succeeded: bool
    outcome: str = Field(..., max_length=2000)
    agreed_amount: Decimal | None = None
    arbitration_body: str = Field("", max_length=100)


class TicketBulkAssignIn(Schema):
    tickets: list[UUID] = Field(..., max_length=100)
    union: UUID | None = None
    handler: UUID | None = None
    note: str = Field("", max_length=500)


class TicketBulkFailure(Schema):
    ticket: UUID
    code: str
    message: str


class BulkOut(Schema):
    done: int
    failed: list[TicketBulkFailure]


class QueueFilter(ConsoleQuery):
    status: str = Field("open", description="open（未办结）/ pending / processing / closed / withdrawn / all")
    kind: str = ""
    tier: str = ""
    topic: str = ""
    union: UUID | None = Field(None, description="只看该工会及其下级")
    mine: bool = Field(False, description="只看我经办的")
    overdue: bool = False
    due_soon: bool = Field(False, description="临期（办理期限前若干个工作日内）")
    supervised: bool = False
    q: str = Field("", description="工单编号或标题关键字")


class StatsFilter(ConsoleQuery):
    since: date | None = None
    until: date | None = None
    union: UUID | None = None
    kind: str = ""


class FiguresOut(Schema):
    key: str = ""
    label: str = ""
    received: int
    closed: int
    on_time: int
    rated: int
    satisfied: int
    on_time_rate: float | None = Field(None, description="按时办结率（%）")
    satisfaction_rate: float | None = Field(None, description="满意率（满意+基本满意，%）")


class AppealsStatsOut(Schema):
    since: date
    until: date
    union: UnionRef | None
    total: FiguresOut
    by_kind: list[FiguresOut]
    by_union: list[FiguresOut]
    by_month: list[FiguresOut]
    by_topic: list[FiguresOut]


class BoardOut(Schema):
    uuid: UUID
    number: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    content: str
    asker: str = Field(..., alias="asker_masked")
    union: str = Field(..., alias="union.name")
    reply: str
    created_at: datetime
    closed_at: datetime | None


class PhoneOut(Schema):
    phone: str
