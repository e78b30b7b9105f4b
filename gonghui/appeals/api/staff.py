"""The staff's side of /api/v1/appeals/: the unit queue, hotline calls, every handling action, bulk
assignment, claimants, mediation and the statistics. Gates: access.py; rules: the services."""

from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.api_inputs import referenced
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.unions.access import access_union
from gonghui.unions.models import Employer, Union

from ..access import access_ticket
from ..models import Mediation, Ticket
from ..schemas import (
    AcceptIn,
    AppealsStatsOut,
    BulkOut,
    CallIn,
    ClaimantIn,
    ClaimantOut,
    ClassifyIn,
    CloseIn,
    FollowUpIn,
    MediationConcludeIn,
    MediationIn,
    PhoneOut,
    QueueFilter,
    SessionIn,
    StatsFilter,
    SubmitOut,
    TicketAssignIn,
    TicketBulkAssignIn,
    TicketListOut,
    TicketNoteIn,
    TicketOut,
    TicketReasonIn,
    TicketTransferIn,
    ticket_fresh,
)
from ..selectors import queue, queue_filters, statistics, stats_filters
from ..services import handling, intake
from ..services import mediation as mediations
from .router import router


def _detail(ticket: Ticket, request: HttpRequest) -> Ticket:
    return ticket_fresh(ticket, request.user, as_staff=True)


def _after(ticket: Ticket, request: HttpRequest) -> Any:
    """The ticket after a hand-over: the caller may no longer see it (转办 to another branch)."""
    if not Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
        return ticket_fresh(ticket, None, as_staff=True)
    return _detail(ticket, request)


def _union(key: UUID | None, *, field: str = "union") -> Union | None:
    return referenced(Union.objects.active(), key, field=field, message="未找到该工会或已停用", short="未找到该工会")


def _handler(key: UUID | None) -> Any:
    return referenced(get_user_model().objects.filter(is_active=True), key, field="handler", message="未找到该经办人")


@router.get("/tickets", response=list[TicketListOut], summary="工单队列（范围内，可筛选）")
@paginate(Page)
def ticket_list(request: HttpRequest, filters: Query[QueueFilter]):
    if filters.union:
        access_union(request.user, filters.union)  # 404 for a union outside the caller's scope
    return queue(request.user, queue_filters(request.user, filters.params())).select_related("union", "handler")


@router.post("/calls", response={201: SubmitOut, 200: SubmitOut}, summary="来电登记（12351热线）")
def call_create(request: HttpRequest, payload: CallIn) -> Status:
    employer = referenced(Employer.objects.select_related("union"), payload.employer, field="employer",
                          message="未找到该单位")
    result = intake.ticket_register_call(
        actor=request.user, phone=payload.phone, caller_name=payload.caller_name, kind=payload.kind,
        content=payload.content, title=payload.title, topic=payload.topic, employer=employer,
        place=_union(payload.place, field="place"), collective=payload.collective, headcount=payload.headcount,
        location=payload.location)
    # A call linked to a matter another branch already handles: say so, but show nothing of that ticket.
    visible = Ticket.objects.visible_to(request.user).filter(pk=result.ticket.pk).exists()
    return Status(200 if result.linked else 201,
                  {"linked": result.linked, "ticket": _after(result.ticket, request) if visible else None})


@router.post("/tickets/bulk-assign", response=BulkOut, summary="批量交办/指派经办人")
def bulk_assign(request: HttpRequest, payload: TicketBulkAssignIn) -> dict[str, Any]:
    union, handler = _union(payload.union), _handler(payload.handler)
    if union is None and handler is None:
        raise ValidationFailed("请选择交办单位或经办人")
    done, failed = 0, []
    for key in payload.tickets:
        try:
            ticket = access_ticket(request.user, key, write=True)
            handling.ticket_assign(actor=request.user, ticket=ticket, to_union=union, handler=handler,
                                   note=payload.note)
            done += 1
        except DomainError as exc:
            failed.append({"ticket": key, "code": exc.code, "message": exc.message})
    return {"done": done, "failed": failed}


@router.post("/tickets/{uuid:key}/accept", response=TicketOut, summary="受理（可同时定级）")
def ticket_accept(request: HttpRequest, key: UUID, payload: AcceptIn | None = None) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    data = payload or AcceptIn()
    handling.ticket_accept(actor=request.user, ticket=ticket, tier=data.tier, topic=data.topic, note=data.note)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/assign", response=TicketOut, summary="交办（下级工会）/指派经办人")
def ticket_assign(request: HttpRequest, key: UUID, payload: TicketAssignIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handler = _handler(payload.handler)
    union = _union(payload.union) or (None if handler is not None else ticket.union)
    handling.ticket_assign(actor=request.user, ticket=ticket, to_union=union, handler=handler, note=payload.note)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/escalate", response=TicketOut, summary="上报（上级工会，须说明原因）")
def ticket_escalate(request: HttpRequest, key: UUID, payload: TicketReasonIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_escalate(actor=request.user, ticket=ticket, reason=payload.reason)
    return _after(ticket, request)


@router.post("/tickets/{uuid:key}/transfer", response=TicketOut, summary="转办（其他工会，须说明原因）")
def ticket_transfer(request: HttpRequest, key: UUID, payload: TicketTransferIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_transfer(actor=request.user, ticket=ticket, to_union=_union(payload.union),
                             reason=payload.reason)
    return _after(ticket, request)


@router.post("/tickets/{uuid:key}/supervise", response=TicketOut, summary="督办（上级工会）")
def ticket_supervise(request: HttpRequest, key: UUID, payload: TicketNoteIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_supervise(actor=request.user, ticket=ticket, note=payload.note)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/classify", response=TicketOut, summary="定级（办理时限档次、问题类别）")
def ticket_classify(request: HttpRequest, key: UUID, payload: ClassifyIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_classify(actor=request.user, ticket=ticket, tier=payload.tier, topic=payload.topic)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/close", response=TicketOut, summary="答复并办结")
def ticket_close(request: HttpRequest, key: UUID, payload: CloseIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_close(actor=request.user, ticket=ticket, reply=payload.reply)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/follow-up", response=TicketOut, summary="回访记录（可记录回访满意度）")
def ticket_follow_up(request: HttpRequest, key: UUID, payload: FollowUpIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_follow_up(actor=request.user, ticket=ticket, note=payload.note, rating=payload.rating)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/unpublish", response=TicketOut, summary="取消在留言板公开（须说明原因）")
def ticket_unpublish(request: HttpRequest, key: UUID, payload: TicketReasonIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    handling.ticket_unpublish(actor=request.user, ticket=ticket, reason=payload.reason)
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/link-call", response=TicketOut, summary="来电记为该工单的重复来件")
def ticket_link_call(request: HttpRequest, key: UUID, payload: TicketNoteIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    intake.ticket_add_repeat(actor=request.user, ticket=ticket, note=payload.note, channel="hotline")
    return _detail(ticket, request)


@router.post("/tickets/{uuid:key}/phone", response=PhoneOut, summary="查看诉求人完整手机号（承办单位，记入审计）")
def ticket_phone(request: HttpRequest, key: UUID) -> dict[str, str]:
    ticket = access_ticket(request.user, key)
    return {"phone": handling.ticket_phone_reveal(actor=request.user, ticket=ticket)}


@router.get("/tickets/{uuid:key}/claimants", response=list[ClaimantOut], summary="群体诉求的诉求人名单（脱敏）")
def claimant_list(request: HttpRequest, key: UUID) -> list[Any]:
    ticket = access_ticket(request.user, key)
    return list(ticket.claimants.all())


@router.post("/tickets/{uuid:key}/claimants", response={201: ClaimantOut}, summary="增加诉求人（群体诉求）")
def claimant_create(request: HttpRequest, key: UUID, payload: ClaimantIn) -> Status:
    ticket = access_ticket(request.user, key, write=True)
    return Status(201, intake.claimant_add(actor=request.user, ticket=ticket, name=payload.name, phone=payload.phone))


def _mediation(ticket: Ticket) -> Mediation:
    found = Mediation.objects.select_related("ticket__union").filter(ticket=ticket).first()
    if found is None:
        raise ValidationFailed("该工单尚未启动调解")
    return found


@router.post("/tickets/{uuid:key}/mediation", response={201: TicketOut}, summary="启动劳动争议调解")
def mediation_open(request: HttpRequest, key: UUID, payload: MediationIn) -> Status:
    ticket = access_ticket(request.user, key, write=True)
    mediations.mediation_open(actor=request.user, ticket=ticket, applicant=payload.applicant,
                              respondent=payload.respondent, claim=payload.claim, claim_amount=payload.claim_amount,
                              respondent_employer=ticket.employer)
    return Status(201, _detail(ticket, request))


@router.post("/tickets/{uuid:key}/mediation/sessions", response={201: TicketOut}, summary="记录一次调解")
def mediation_session(request: HttpRequest, key: UUID, payload: SessionIn) -> Status:
    ticket = access_ticket(request.user, key, write=True)
    mediations.mediation_add_session(actor=request.user, mediation=_mediation(ticket), held_at=payload.held_at,
                                     notes=payload.notes, place=payload.place, attendees=payload.attendees)
    return Status(201, _detail(ticket, request))


@router.post("/tickets/{uuid:key}/mediation/conclude", response=TicketOut,
             summary="调解结束（调解成功，或调解不成移送仲裁）")
def mediation_conclude(request: HttpRequest, key: UUID, payload: MediationConcludeIn) -> Ticket:
    ticket = access_ticket(request.user, key, write=True)
    mediations.mediation_conclude(actor=request.user, mediation=_mediation(ticket), succeeded=payload.succeeded,
                                  outcome=payload.outcome, agreed_amount=payload.agreed_amount,
                                  arbitration_body=payload.arbitration_body)
    return _detail(ticket, request)


@router.get("/stats", response=AppealsStatsOut, summary="统计（范围内）：按类型、单位、月份、热点问题")
def stats(request: HttpRequest, filters: Query[StatsFilter]) -> dict[str, Any]:
    if filters.union:
        access_union(request.user, filters.union)  # 404 for a union outside the caller's scope
    result = statistics(request.user, stats_filters(request.user, filters.params()))
    root = result.root
    return {"since": result.filters.since, "until": result.filters.until,
            "union": {"uuid": root.uuid, "name": root.name} if root else None, "total": result.total,
            "by_kind": result.by_kind, "by_union": result.by_union, "by_month": result.by_month,
            "by_topic": result.by_topic}
