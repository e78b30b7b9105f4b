"""会籍转移 pages: the worker's own request on the H5 (/members/transfer/), both sides' queues and the
transfer detail in the console (/console/members/transfers/), and "transfer this member" for staff.

Thin adapters: parse (forms.py) → gate (access.py) → service (services/transfer.py) → render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act
from gonghui.core.decorators import staff_required
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.core.scope import scope_of

from ..access import access_member, access_transfer, own_member
from ..forms import CancelForm, NoteForm, RefuseForm, StaffTransferForm, TransferFilterForm, TransferStartForm
from ..models import Member, MemberStatus, Transfer, TransferStatus
from ..services import transfer as services

STEPS = [
    (TransferStatus.AWAITING_RELEASE, "提交申请"),
    (TransferStatus.AWAITING_ACCEPT, "转出工会同意"),
    (TransferStatus.COMPLETED, "转入工会接收"),
]


def join_url() -> str:
    """The joining page (written in views/joining.py); a plain path until it is routed."""
    try:
        return reverse("members:join")
    except NoReverseMatch:
        return "/members/join/"


def member_detail_url(user: Any, member: Member) -> str:
    """The registry's member page, when it exists and the user may see the member there."""
    if not Member.objects.visible_to(user).filter(pk=member.pk).exists():
        return ""
    try:
        return reverse("members:detail", args=[member.uuid])
    except NoReverseMatch:
        return ""


def _steps(transfer: Transfer) -> list[dict[str, Any]]:
    order = [s for s, _ in STEPS]
    reached = order.index(transfer.status) if transfer.status in order else -1
    return [{"label": label, "done": i < reached or transfer.status == TransferStatus.COMPLETED,
             "current": i == reached and transfer.status != TransferStatus.COMPLETED}
            for i, (_, label) in enumerate(STEPS)]


def _load(key: Any) -> Transfer:
    """Reload a transfer with its timeline after a transition (the caller already passed the gate)."""
    return (Transfer.objects.select_related("member__union", "member__employer", "from_union", "to_union",
                                            "to_employer")
            .prefetch_related("events__actor").get(uuid=key))


def _resolve(form_target: tuple[str, str]) -> tuple[Any, Any]:
    kind, key = form_target
    if kind == "employer":
        return services.resolve_target(employer_key=key)
    return services.resolve_target(union_key=key)


# --- H5: my transfer -------------------------------------------------------------------------------------------


@login_required
def transfer_mine(request: HttpRequest) -> HttpResponse:
    """See where my transfer stands; start one when there is none."""
    member = own_member(request.user)
    if member is None:
        return render(request, "members/transfer_mine.html", {"tab": "me", "member": None, "join_url": join_url()})
    form = TransferStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                union, employer = _resolve(form.cleaned_data["target"])
                services.transfer_start(actor=request.user, member=member, to_union=union, to_employer=employer,
                                        reason=form.cleaned_data["reason"])
            except (ValidationFailed, Conflict) as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "已提交会籍转移申请，请等待工会办理")
                return redirect("members:transfer_mine")
    transfers = list(Transfer.objects.filter(member=member).select_related("from_union", "to_union", "to_employer")
                     .prefetch_related("events"))
    current = next((t for t in transfers if t.status in services.OPEN_STATUSES), None)
    return render(request, "members/transfer_mine.html", {
        "tab": "me", "member": member, "form": form, "current": current,
        "steps": _steps(current) if current else [],
        "past": [t for t in transfers if t is not current],
        "can_start": current is None and member.status == MemberStatus.ACTIVE,
    }, status=status)


@login_required
@require_POST
def transfer_mine_cancel(request: HttpRequest, key: str) -> HttpResponse:
    member = own_member(request.user)
    transfer = (Transfer.objects.select_related("member__union", "from_union", "to_union")
                .filter(uuid=key, member=member).first()) if member else None
    if transfer is None:
        raise NotFound()
    return act(request, form=CancelForm(request.POST), success="已撤销会籍转移申请",
               run=lambda data: services.transfer_cancel(actor=request.user, transfer=transfer,
                                                         reason=data.get("reason", "")),
               back=reverse("members:transfer_mine"))


@login_required
def transfer_targets(request: HttpRequest) -> HttpResponse:
    """HTMX: unions and employers matching the search, to pick where to move (public data only)."""
    q = request.GET.get("q", "")
    member = own_member(request.user)
    exclude = None
    if request.GET.get("member"):  # staff picking for a member: hide the member's own union
        found = Member.objects.visible_to(request.user).select_related("union").filter(
            uuid=services.parse_uuid(request.GET["member"])).first()
        exclude = found.union if found else None
    elif member is not None:
        exclude = member.union
    return render(request, "members/transfer_targets.html", {
        "q": " ".join(q.split())[:50], "unions": services.target_unions(q, exclude=exclude),
        "employers": services.target_employers(q),
    })


# --- Console ----------------------------------------------------------------------------------------------------


@staff_required
def transfers(request: HttpRequest) -> HttpResponse:
    """Two queues: 转出 (from my branch) and 转入 (to my branch), filtered by status."""
    filters = TransferFilterForm(request.GET).values()
    scope = scope_of(request.user)
    visible = Transfer.objects.visible_to(request.user)
    out_q, in_q = scope.q("from_union__path"), scope.q("to_union__path")
    qs = visible.filter(out_q if filters["direction"] == "out" else in_q)
    if filters["status"] == "open":
        qs = qs.filter(status__in=services.OPEN_STATUSES)
    elif filters["status"] in TransferStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters["q"]:
        qs = qs.filter(member__name__icontains=filters["q"])
    qs = qs.select_related("member", "from_union", "to_union").order_by("-updated_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    # What waits for *me*: releases on the out tab, acceptances on the in tab.
    counts = {
        "out": visible.filter(out_q, status=TransferStatus.AWAITING_RELEASE).count(),
        "in": visible.filter(in_q, status=TransferStatus.AWAITING_ACCEPT).count(),
    }
    return render(request, "members/transfer_list.html", {
        "section": "members", "page": page, "filters": filters, "counts": counts,
        "statuses": TransferStatus.choices,
    })


@staff_required
def transfer_detail(request: HttpRequest, key: str) -> HttpResponse:
    transfer = access_transfer(request.user, key)
    return render(request, "members/transfer_detail.html", _detail_context(request, _load(transfer.uuid)))


def _detail_context(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    return {
        "section": "members", "transfer": transfer, "steps": _steps(transfer),
        "actions": services.allowed_actions(request.user, transfer),
        "member_url": member_detail_url(request.user, transfer.member),
    }


def _card_action(request: HttpRequest, transfer: Transfer, *, form: Any, run: Any, success: str) -> HttpResponse:
    """One console action on a transfer through core.actions.act; HTMX swaps the transfer card.
    Forbidden is not caught: the other side or a viewer gets the 403 page."""
    return act(request, form=form, run=run, success=success,
               back=reverse("members:transfer_detail", kwargs={"key": transfer.uuid}),
               fragment=lambda: render(request, "members/transfer_card.html",
                                       _detail_context(request, _load(transfer.uuid))))


@staff_required
@require_POST
def transfer_release(request: HttpRequest, key: str) -> HttpResponse:
    transfer = access_transfer(request.user, key)
    return _card_action(request, transfer, form=NoteForm(request.POST), success="已同意转出，等待转入工会接收",
                run=lambda data: services.transfer_release(actor=request.user, transfer=transfer,
                                                           note=data.get("note", "")))


@staff_required
@require_POST
def transfer_accept(request: HttpRequest, key: str) -> HttpResponse:
    transfer = access_transfer(request.user, key)
    return _card_action(request, transfer, form=NoteForm(request.POST),
                        success=f"已接收，会员已转入{transfer.to_union.name}",
                        run=lambda data: services.transfer_accept(actor=request.user, transfer=transfer,
                                                          note=data.get("note", "")))


@staff_required
@require_POST
def transfer_refuse(request: HttpRequest, key: str) -> HttpResponse:
    transfer = access_transfer(request.user, key)
    return _card_action(request, transfer, form=RefuseForm(request.POST), success="已退回，会员仍在原工会",
                run=lambda data: services.transfer_refuse(actor=request.user, transfer=transfer,
                                                          reason=data["reason"]))


@staff_required
@require_POST
def transfer_cancel(request: HttpRequest, key: str) -> HttpResponse:
    transfer = access_transfer(request.user, key)
    return _card_action(request, transfer, form=CancelForm(request.POST), success="已撤销该会籍转移",
                run=lambda data: services.transfer_cancel(actor=request.user, transfer=transfer,
                                                          reason=data.get("reason", "")))


@staff_required
def staff_transfer(request: HttpRequest, key: str) -> HttpResponse:
    """Start a transfer for a member of my branch (linked from the member's page)."""
    member = access_member(request.user, key, write=True)
    form = StaffTransferForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                union, employer = _resolve(form.cleaned_data["target"])
                transfer = services.transfer_start(actor=request.user, member=member, to_union=union,
                                                   to_employer=employer, reason=form.cleaned_data["reason"])
            except (ValidationFailed, Conflict) as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"已发起会籍转移，等待{transfer.to_union.name}接收")
                return redirect("members:transfer_detail", key=transfer.uuid)
    open_transfer = Transfer.objects.filter(member=member, status__in=services.OPEN_STATUSES).first()
    return render(request, "members/transfer_start.html", {
        "section": "members", "member": member, "form": form, "open_transfer": open_transfer,
        "member_url": member_detail_url(request.user, member),
    }, status=status)
