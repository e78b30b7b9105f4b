"""The worker's 12351 pages on the H5 (/appeals/…): submit, my tickets with their timeline, rate,
reopen, withdraw, add to an open ticket, and the public message board."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.core.actions import object_action, page_status
from gonghui.core.errors import ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.core.headers import allow_features

from ..access import own_ticket
from ..forms import NoteForm, RateForm, ReasonForm, SubmitForm
from ..models import Kind, Mediation, Rating, Stage, Status, Ticket, Topic
from ..selectors import board as board_query
from ..selectors import board_ticket
from ..services import handling, intake, uploads
from .shared import place_choices, place_union

KIND_ICONS = {
    Kind.CONSULT: ("咨", "#165dff"), Kind.HELP: ("帮", "#00a870"), Kind.COMPLAINT: ("诉", "#f53f3f"),
    Kind.LEGAL: ("法", "#722ed1"), Kind.SUGGESTION: ("议", "#d4a017"), Kind.HAZARD: ("拍", "#ff7d00"),
    Kind.DISPUTE: ("调", "#c8102e"),
}
KIND_HINTS = {
    Kind.CONSULT: "政策、法律、入会等问题咨询",
    Kind.HELP: "生活困难、技能培训、就业等帮扶",
    Kind.COMPLAINT: "侵害职工权益的投诉、信访",
    Kind.LEGAL: "欠薪、工伤、解除合同等法律援助",
    Kind.SUGGESTION: "对工会或企业的意见建议（可匿名）",
    Kind.HAZARD: "拍下身边的安全隐患",
    Kind.DISPUTE: "与单位的劳动争议，申请工会调解",
}


def home(request: HttpRequest) -> HttpResponse:
    """The 12351 entrance: what can be asked, my tickets, the message board."""
    mine = Ticket.objects.of_worker(request.user)
    return render(request, "appeals/home.html", {
        "tab": "home",
        "kinds": [(k, label, KIND_HINTS[Kind(k)], *KIND_ICONS[Kind(k)]) for k, label in Kind.choices],
        "open_count": mine.filter(status__in=[Status.PENDING, Status.PROCESSING]).count()
        if request.user.is_authenticated else 0,
        "board": board_query()[:3],
    })


@allow_features("geolocation")  # the 定位 button
@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """我要反映: the form; on success the case number is shown at once on the ticket page."""
    member = intake.current_member(request.user)
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.CONSULT}
    form = SubmitForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = intake.ticket_submit(
                    actor=request.user, kind=data["kind"], title=data["title"], content=data["content"],
                    topic=data["topic"], place=place_union(data["place"]), location=data["location"],
                    latitude=data["latitude"], longitude=data["longitude"], anonymous=data["anonymous"],
                    public=data["public"], collective=data["collective"], headcount=data["headcount"],
                    files=request.FILES.getlist("files"))
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
                if isinstance(exc.detail, dict) and "files" in exc.detail:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                ticket = result.ticket
                if result.linked:
                    messages.info(request, f"您已反映过同一事项，本次已合并到原工单 {ticket.number}，工会将加快办理")
                else:
                    messages.success(request, f"提交成功！工单编号 {ticket.number}，请牢记以便查询")
                return redirect("appeals:mine_detail", key=ticket.uuid)
    return render(request, "appeals/submit.html", {
        "tab": "home", "form": form, "member": member, "places": place_choices() if member is None else [],
        "kind_hints": KIND_HINTS, "max_files": uploads.max_files(), "max_mb": uploads.max_bytes() // 1024 // 1024,
        "max_bytes": uploads.max_bytes(), "topics": Topic.choices,
    }, status=page_status(status))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    tickets = Ticket.objects.of_worker(request.user).select_related("union")
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render(request, "appeals/mine.html", {"tab": "me", "page": page})


def _mine_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    return {
        "tab": "me", "ticket": ticket,
        "events": ticket.events.filter(shown_to_worker=True).select_related("to_union"),
        "attachments": ticket.attachments.exclude(stage=Stage.MEDIATION),
        "mediation": Mediation.objects.filter(ticket=ticket).prefetch_related("sessions").first(),
        "can_reopen": handling.can_reopen(ticket), "ratings": Rating.choices,
        "rate_form": RateForm(), "is_open": ticket.is_open, "max_bytes": uploads.max_bytes(),
        "room": max(0, uploads.max_files() - ticket.attachments.count()),
    }


@login_required
def mine_detail(request: HttpRequest, key: str) -> HttpResponse:
    ticket = own_ticket(request.user, key)
    return render(request, "appeals/mine_detail.html", _mine_context(request, ticket))


def _back(ticket: Ticket) -> str:
    return reverse("appeals:mine_detail", args=[ticket.uuid])


# The worker's own actions on their ticket: own_ticket (404 for anyone else's), core.actions.act, back to it.
mine_action = partial(object_action, own_ticket, back=lambda request, ticket: _back(ticket), guard=login_required)


@mine_action(form=RateForm, success="感谢您的评价")
def rate(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> None:
    handling.ticket_rate(actor=request.user, ticket=ticket, rating=data["rating"], comment=data["comment"])


@mine_action(form=ReasonForm, success="已申请重新办理，工会将再次处理您的诉求")
def reopen(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> None:
    handling.ticket_reopen(actor=request.user, ticket=ticket, reason=data["reason"])


@mine_action(form=ReasonForm, success="已撤回该诉求")
def withdraw(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> None:
    handling.ticket_withdraw(actor=request.user, ticket=ticket, reason=data["reason"])


@mine_action(form=NoteForm, success="已补充，工会工作人员会看到")
def add_more(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> None:
    """补充说明/催办 on an open ticket, with more photos if any: linked to it, not a new ticket."""
    files = request.FILES.getlist("files")
    if not data["note"] and not files:
        raise ValidationFailed("请填写补充说明或选择照片")
    if data["note"]:
        intake.ticket_add_repeat(actor=request.user, ticket=ticket, note=data["note"])
    if files:
        intake.attachment_add(actor=request.user, ticket=ticket, files=files, stage=Stage.INTAKE)


def board(request: HttpRequest) -> HttpResponse:
    """留言板: public questions and the union's answers; the asker's name masked."""
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "")
    page = Paginator(board_query(kind=kind, q=q), 15).get_page(request.GET.get("page"))
    return render(request, "appeals/board.html", {"tab": "home", "page": page, "kinds": Kind.choices,
                                                  "kind": kind, "q": " ".join(q.split())[:40]})


def board_detail(request: HttpRequest, key: str) -> HttpResponse:
    ticket = board_ticket(key)
    return render(request, "appeals/board_detail.html", {"tab": "home", "ticket": ticket})

