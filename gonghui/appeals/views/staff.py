"""The staff console of 12351 (/console/appeals/…): the unit queue with filters, deadline timers and
bulk assignment; the hotline operator's call form; the ticket page with its full timeline and every
handling action; dispute mediation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, object_action, page_status
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.lib.text import parse_uuid
from gonghui.unions.models import Union

from ..access import access_ticket, may_reveal_phone, sees_identity
from ..forms import (
    AcceptForm,
    AssignForm,
    AttachForm,
    BulkAssignForm,
    CallForm,
    ClaimantForm,
    ClassifyForm,
    CloseForm,
    ConcludeForm,
    FollowUpForm,
    MediationOpenForm,
    NoteForm,
    ReasonForm,
    SessionForm,
    TransferForm,
)
from ..models import MEDIATION_KINDS, Kind, Mediation, Rating, Stage, Ticket, Tier, Topic
from ..selectors import STATUS_FILTERS, mark_timers, queue, queue_counts, queue_filters
from ..services import handling, intake, uploads
from ..services import mediation as mediations
from .shared import place_choices, place_union

User = get_user_model()


def _work_unions(user: Any, *, limit: int = 300) -> list[Union]:
    """Unions the caller can hand tickets to: their writing grants and the unions below them."""
    scope = scope_of(user)
    qs = Union.objects.active()
    if not scope.is_superuser:
        qs = qs.filter(scope.q("path", WRITE_ROLES))
    return list(qs.order_by("path")[:limit])


def _handlers(unions: list[Union], *, limit: int = 200) -> list[Any]:
    """Staff with a writing role at one of ``unions`` (candidates for 经办人)."""
    if not unions:
        return []
    return list(User.objects.filter(is_active=True, assignments__union__in=unions,
                                    assignments__role__in=list(WRITE_ROLES))
                .distinct().order_by("name")[:limit])


def _user(key: Any) -> Any:
    found = parse_uuid(key)
    return User.objects.filter(uuid=found, is_active=True).first() if found else None


# --- The queue ------------------------------------------------------------------------------------------------------


@staff_required
def ticket_queue(request: HttpRequest) -> HttpResponse:
    filters = queue_filters(request.user, request.GET)
    qs = queue(request.user, filters).select_related("union", "handler")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    mark_timers(page.object_list)
    scope = scope_of(request.user)
    can_write = scope.is_superuser or bool(scope.paths(WRITE_ROLES))
    work_unions = _work_unions(request.user) if can_write else []
    context = {
        "section": "appeals", "page": page, "filters": filters, "counts": queue_counts(request.user),
        "statuses": STATUS_FILTERS, "kinds": Kind.choices, "tiers": Tier.choices, "topics": Topic.choices,
        "can_write": can_write, "work_unions": work_unions, "handlers": _handlers(work_unions),
        "filter_unions": Union.objects.visible_to(request.user).filter(level__lte=4).order_by("path")[:300],
        "next": request.get_full_path(),
    }
    if request.htmx and request.GET.get("fragment") == "rows":
        return render(request, "appeals/_queue_table.html", context)
    return render(request, "appeals/queue.html", context)


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """批量交办/指派: each selected ticket is gated and assigned on its own; failures are listed."""
    keys = request.POST.getlist("tickets")[:100]

    def run(data: Mapping[str, Any]) -> str:
        if not keys:
            raise ValidationFailed("请先勾选要交办的工单")
        union = Union.objects.active().filter(uuid=data["union"]).first() if data["union"] else None
        handler = _user(data["handler"])
        if union is None and handler is None:
            raise ValidationFailed("请选择交办单位或经办人")
        done, failed = 0, []
        for key in keys:
            try:
                ticket = access_ticket(request.user, key, write=True)
                handling.ticket_assign(actor=request.user, ticket=ticket, to_union=union, handler=handler,
                                       note=data["note"])
                done += 1
            except DomainError as exc:
                failed.append(f"{key[:8]}…：{exc.message}")
        if failed:  # the successes are the act's message; the failures one more
            messages.error(request, f"{len(failed)} 件未能交办：" + "；".join(failed[:5]))
        return f"已交办 {done} 件工单" if done else ""

    return act(request, form=BulkAssignForm(request.POST), run=run, back=reverse("appeals:queue"))


# --- The hotline operator's form --------------------------------------------------------------------------------


def _lookup(request: HttpRequest, phone: str) -> dict[str, Any]:
    """The caller panel's context: the scoped, audited, rate-limited lookup (intake.caller_lookup)."""
    if not phone.strip():
        return {"match": None, "open_tickets": [], "phone": ""}
    try:
        found = intake.caller_lookup(actor=request.user, phone=phone)
    except ValidationFailed as exc:
        return {"match": None, "open_tickets": [], "phone": phone, "lookup_error": exc.message}
    return {"match": found.member, "open_tickets": found.open_tickets, "phone": phone}


@staff_required
def call(request: HttpRequest) -> HttpResponse:
    """来电登记: the call becomes a ticket at the responsible union. For call takers only (a writing
    role). The caller's number is never read from the URL (access logs keep URLs): the panel that
    matches it to a member is filled by a POST to ``call_lookup``."""
    intake.require_call_taker(request.user)
    form = CallForm(request.POST or None)
    status = 200
    caller: dict[str, Any] = {"match": None, "open_tickets": [], "phone": ""}
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = intake.ticket_register_call(
                    actor=request.user, phone=data["phone"], caller_name=data["caller_name"], kind=data["kind"],
                    content=data["content"], title=data["title"], topic=data["topic"],
                    place=place_union(data["place"]), collective=data["collective"], headcount=data["headcount"],
                    location=data["location"])
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                ticket = result.ticket
                visible = Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists()
                if result.linked:
                    text = f"同一来电人的同一事项已在办，已记为重复来件：{ticket.number}"
                elif visible:
                    text = f"已登记，工单编号 {ticket.number}，承办单位：{ticket.union.name}"
                else:  # a union outside the operator's scope is not named
                    text = f"已登记，工单编号 {ticket.number}，已交承办单位办理"
                messages.success(request, text)
                if visible:
                    return redirect("appeals:ticket", key=ticket.uuid)
                return redirect("appeals:call")
        try:
            caller = _lookup(request, request.POST.get("phone", ""))
        except DomainError:  # throttled: the form's errors matter more than the panel here
            pass
    return render(request, "appeals/call.html", {
        "section": "appeals", "form": form, **caller, "places": place_choices(),
    }, status=page_status(status))


@staff_required
@require_POST
def call_lookup(request: HttpRequest) -> HttpResponse:
    """HTMX: the caller panel of 来电登记 for the number typed so far (POSTed, never in the URL)."""
    intake.require_call_taker(request.user)
    return render(request, "appeals/_caller.html", _lookup(request, request.POST.get("phone", "")))


@staff_required
@require_POST
def link_call(request: HttpRequest, key: str) -> HttpResponse:
    """Record a call about an open ticket as a repeat (重复来件) instead of a new ticket."""
    ticket = access_ticket(request.user, key, write=True)
    return act(request, form=NoteForm(request.POST),
               run=lambda data: intake.ticket_add_repeat(actor=request.user, ticket=ticket, note=data["note"],
                                                         channel="hotline"),
               success=f"已记为工单 {ticket.number} 的重复来件", back=reverse("appeals:ticket", args=[ticket.uuid]))


# --- The ticket page ------------------------------------------------------------------------------------------------


def ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    mark_timers([ticket])
    actions = handling.allowed_actions(request.user, ticket)
    subtree = (list(Union.objects.active().filter(path__startswith=ticket.union.path).order_by("path")[:200])
               if "assign" in actions else [])
    mediation = Mediation.objects.filter(ticket=ticket).prefetch_related("sessions__recorded_by").first()
    identity = sees_identity(request.user, ticket)
    return {
        "section": "appeals", "ticket": ticket, "actions": actions, "identity": identity,
        "events": ticket.events.select_related("actor", "from_union", "to_union", "handler"),
        "attachments": ticket.attachments.all(),
        "claimants": ticket.claimants.select_related("member") if ticket.collective else [],
        "mediation": mediation, "mediation_allowed": ticket.kind in MEDIATION_KINDS,
        "can_reveal_phone": identity and may_reveal_phone(request.user, ticket),
        "subtree": subtree, "handlers": _handlers(subtree[:50]) if subtree else [],
        "tiers": Tier.choices, "topics": Topic.choices, "ratings": Rating.choices,
        "ancestors": Union.objects.visible_to(request.user).ancestors_of(ticket.union, include_self=True),
        "max_files": uploads.max_files(), "repeats": ticket.repeats.all()[:5],
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "worker_actions": ("submit", "repeat", "rate", "reopen", "withdraw"),
    }


@staff_required
def ticket_detail(request: HttpRequest, key: str) -> HttpResponse:
    ticket = access_ticket(request.user, key)
    return render(request, "appeals/ticket.html", ticket_context(request, ticket))


@staff_required
@require_POST
def reveal_phone(request: HttpRequest, key: str) -> HttpResponse:
    """The caller's full phone number, for the units handling the ticket (to call back); audited."""
    ticket = access_ticket(request.user, key)
    phone = handling.ticket_phone_reveal(actor=request.user, ticket=ticket)
    return render(request, "appeals/_phone.html", {"ticket": ticket, "phone": phone})


def _back(request: HttpRequest, ticket: Ticket) -> Callable[[], str]:
    """Back to the ticket page, or to the queue when the ticket went to a branch the caller doesn't see."""
    def where() -> str:
        if Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
            return reverse("appeals:ticket", args=[ticket.uuid])
        return reverse("appeals:queue")
    return where


# Every handling action: gated with write (Forbidden and NotFound go to the error pages), then
# core.actions.act with the action's form, back to the ticket (or the queue, _back).
ticket_action = partial(object_action, partial(access_ticket, write=True), back=_back)


@ticket_action(form=AcceptForm)
def accept(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_accept(actor=request.user, ticket=ticket, tier=data["tier"] or None,
                           topic=data["topic"] or None, note=data["note"])
    return f"已受理，办理期限 {ticket.due_on:%Y-%m-%d}"


@ticket_action(form=AssignForm)
def assign(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    union = Union.objects.filter(uuid=data["union"]).first() if data["union"] else ticket.union
    if union is None:
        raise ValidationFailed("请选择交办单位")
    handler = _user(data["handler"])
    if data["handler"] and handler is None:
        raise ValidationFailed("未找到该经办人")
    handling.ticket_assign(actor=request.user, ticket=ticket, to_union=union, handler=handler,
                           note=data["note"])
    return f"已交办：{union.name}" + (f"，经办人 {handler.name}" if handler else "")


@ticket_action(form=ReasonForm)
def escalate(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_escalate(actor=request.user, ticket=ticket, reason=data["reason"])
    return f"已上报至{ticket.union.name}"


@ticket_action(form=TransferForm)
def transfer(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    union = Union.objects.filter(uuid=data["union"]).first()
    if union is None:
        raise ValidationFailed("请先搜索并选择转办单位")
    handling.ticket_transfer(actor=request.user, ticket=ticket, to_union=union, reason=data["reason"])
    return f"已转办至{ticket.union.name}"


@ticket_action(form=NoteForm)
def supervise(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_supervise(actor=request.user, ticket=ticket, note=data["note"])
    return "已督办，已通知承办人"


@ticket_action(form=ClassifyForm)
def classify(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_classify(actor=request.user, ticket=ticket, tier=data["tier"] or None,
                             topic=data["topic"] or None)
    return f"已定级，办理期限 {ticket.due_on:%Y-%m-%d}"


@ticket_action(form=CloseForm)
def close(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    files = request.FILES.getlist("files")
    if files:
        intake.attachment_add(actor=request.user, ticket=ticket, files=files, stage=Stage.REPLY)
    handling.ticket_close(actor=request.user, ticket=ticket, reply=data["reply"])
    return "已答复并办结" + ("（按期）" if ticket.on_time else "（超期）")


@ticket_action(form=FollowUpForm)
def follow_up(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_follow_up(actor=request.user, ticket=ticket, note=data["note"], rating=data["rating"])
    return "已记录回访"


@ticket_action(form=ReasonForm)
def unpublish(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    handling.ticket_unpublish(actor=request.user, ticket=ticket, reason=data["reason"])
    return "已取消在留言板公开"


@ticket_action(form=ClaimantForm)
def claimant(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    person = intake.claimant_add(actor=request.user, ticket=ticket, name=data["name"], phone=data["phone"])
    return f"已增加诉求人 {person.masked_name}" + ("（已匹配会员）" if person.member_id else "")


@ticket_action(form=AttachForm)
def attach(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    saved = intake.attachment_add(actor=request.user, ticket=ticket, files=request.FILES.getlist("files"),
                                  stage=data["stage"] or Stage.REPLY)
    return f"已上传 {len(saved)} 个文件"


# --- Mediation -------------------------------------------------------------------------------------------------------


@ticket_action(form=MediationOpenForm)
def mediation_open(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    mediations.mediation_open(actor=request.user, ticket=ticket, applicant=data["applicant"],
                              respondent=data["respondent"], claim=data["claim"],
                              claim_amount=data["claim_amount"], respondent_employer=ticket.employer)
    return "已启动劳动争议调解"


def _mediation_of(ticket: Ticket) -> Mediation:
    found = Mediation.objects.select_related("ticket__union").filter(ticket=ticket).first()
    if found is None:
        raise ValidationFailed("该工单尚未启动调解")
    return found


@ticket_action(form=SessionForm)
def mediation_session(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    mediations.mediation_add_session(actor=request.user, mediation=_mediation_of(ticket),
                                     held_at=data["held_at"], notes=data["notes"], place=data["place"],
                                     attendees=data["attendees"])
    return "已记录调解情况"


@ticket_action(form=ConcludeForm)
def mediation_conclude(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    done = mediations.mediation_conclude(
        actor=request.user, mediation=_mediation_of(ticket), succeeded=data["result"] == "succeeded",
        outcome=data["outcome"], agreed_amount=data["agreed_amount"],
        arbitration_body=data["arbitration_body"])
    return f"调解结束：{done.get_status_display()}。请答复职工并办结工单"


# --- Pickers -------------------------------------------------------------------------------------------------------


@staff_required
def union_options(request: HttpRequest) -> HttpResponse:
    """HTMX: active unions matching a name, to pick a 转办 target (the tree holds no personal data)."""
    q = " ".join(request.GET.get("q", "").split())[:40]
    found = Union.objects.active().filter(Q(name__icontains=q)).select_related("parent")
    unions = found.order_by("level", "name")[:15] if q else []
    return render(request, "appeals/_union_options.html", {"unions": unions, "q": q})
