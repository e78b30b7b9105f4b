"""The worker's side of /api/v1/appeals/: submit (multipart, with photos), my tickets, rate,
reopen, withdraw, add to an open ticket; the public message board (no login)."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Status, UploadedFile
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.api_inputs import referenced
from gonghui.core.responses import stored_file
from gonghui.unions.models import Employer, Union

from ..access import access_attachment, own_ticket, ticket_for
from ..models import Channel, Kind, Stage, Ticket
from ..schemas import (
    BoardOut,
    RateIn,
    SubmitIn,
    SubmitOut,
    TicketListOut,
    TicketNoteIn,
    TicketOut,
    TicketReasonIn,
    ticket_fresh,
)
from ..selectors import board as board_query
from ..selectors import board_ticket
from ..services import handling, intake
from .router import router


def _detail(ticket: Ticket, request: HttpRequest, *, as_staff: bool) -> Ticket:
    return ticket_fresh(ticket, request.user, as_staff=as_staff)


@router.post("/tickets", response={201: SubmitOut, 200: SubmitOut}, summary="提交诉求（multipart，可附照片/PDF）")
def ticket_submit(request: HttpRequest, payload: Form[SubmitIn],
                  files: File[list[UploadedFile]] = None) -> Status:
    """The ticket lands at the worker's union (members), else the employer's, else the place's.
    A repeat of the same open matter returns the open ticket with ``linked`` true (200)."""
    result = intake.ticket_submit(
        actor=request.user, kind=payload.kind, title=payload.title, content=payload.content, topic=payload.topic,
        employer=referenced(Employer.objects.select_related("union"), payload.employer, field="employer",
                            message="未找到该单位"),
        place=referenced(Union.objects.active(), payload.place, field="place", message="未找到该工会或已停用",
                         short="未找到该工会"), location=payload.location,
        latitude=payload.latitude, longitude=payload.longitude, anonymous=payload.anonymous, public=payload.public,
        collective=payload.collective, headcount=payload.headcount, files=list(files or []), channel=Channel.API)
    body = {"linked": result.linked, "ticket": _detail(result.ticket, request, as_staff=False)}
    return Status(200 if result.linked else 201, body)


@router.get("/tickets/mine", response=list[TicketListOut], summary="我的诉求")
@paginate(Page)
def ticket_mine(request: HttpRequest):
    return Ticket.objects.of_worker(request.user).select_related("union", "handler")


@router.get("/tickets/{uuid:key}", response=TicketOut, summary="工单详情（职工本人或范围内的工作人员）")
def ticket_get(request: HttpRequest, key: UUID) -> Ticket:
    ticket, as_staff = ticket_for(request.user, key)
    return _detail(ticket, request, as_staff=as_staff)


@router.post("/tickets/{uuid:key}/rate", response=TicketOut, summary="评价（满意/基本满意/不满意）")
def ticket_rate(request: HttpRequest, key: UUID, payload: RateIn) -> Ticket:
    ticket = own_ticket(request.user, key)
    handling.ticket_rate(actor=request.user, ticket=ticket, rating=payload.rating, comment=payload.comment)
    return _detail(ticket, request, as_staff=False)


@router.post("/tickets/{uuid:key}/reopen", response=TicketOut, summary="不满意，申请重新办理（限一次）")
def ticket_reopen(request: HttpRequest, key: UUID, payload: TicketReasonIn) -> Ticket:
    ticket = own_ticket(request.user, key)
    handling.ticket_reopen(actor=request.user, ticket=ticket, reason=payload.reason)
    return _detail(ticket, request, as_staff=False)


@router.post("/tickets/{uuid:key}/withdraw", response=TicketOut, summary="撤回诉求")
def ticket_withdraw(request: HttpRequest, key: UUID, payload: TicketReasonIn | None = None) -> Ticket:
    ticket = own_ticket(request.user, key)
    handling.ticket_withdraw(actor=request.user, ticket=ticket, reason=payload.reason if payload else "")
    return _detail(ticket, request, as_staff=False)


@router.post("/tickets/{uuid:key}/more", response=TicketOut, summary="补充说明/催办（记为重复来件）")
def ticket_more(request: HttpRequest, key: UUID, payload: TicketNoteIn) -> Ticket:
    ticket = own_ticket(request.user, key)
    intake.ticket_add_repeat(actor=request.user, ticket=ticket, note=payload.note, channel=Channel.API)
    return _detail(ticket, request, as_staff=False)


@router.post("/tickets/{uuid:key}/attachments", response={201: TicketOut},
             summary="上传照片/PDF（职工本人：诉求材料；工作人员：办理材料）")
def ticket_attach(request: HttpRequest, key: UUID, files: File[list[UploadedFile]],
                  stage: Form[str] = Stage.REPLY) -> Status:
    ticket, as_staff = ticket_for(request.user, key)
    if as_staff:
        from ..access import access_ticket

        ticket = access_ticket(request.user, key, write=True)
        stage = stage if stage in (Stage.REPLY, Stage.MEDIATION) else Stage.REPLY
    else:
        stage = Stage.INTAKE
    intake.attachment_add(actor=request.user, ticket=ticket, files=list(files), stage=stage)
    return Status(201, _detail(ticket, request, as_staff=as_staff))


@router.get("/attachments/{uuid:key}", response={200: None}, summary="下载附件",
            openapi_extra={"responses": {"200": {"description": "图片或PDF文件"}}})
def attachment_get(request: HttpRequest, key: UUID) -> HttpResponse:
    item = access_attachment(request.user, key)
    response = stored_file(item.file, content_type=item.content_type, missing="文件已不存在", filename=item.name)
    return response


@router.get("/board", auth=None, response=list[BoardOut], summary="留言板（公开的问答，提问人姓名隐去）")
@paginate(Page)
def board_list(request: HttpRequest, kind: str = "", q: str = ""):
    return board_query(kind=kind if kind in Kind.values else "", q=q)


@router.get("/board/{uuid:key}", auth=None, response=BoardOut, summary="留言板详情")
def board_get(request: HttpRequest, key: UUID) -> Ticket:
    return board_ticket(key)
