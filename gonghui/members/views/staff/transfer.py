"""会籍转移 in the console: both sides' queues and the transfer detail (/console/members/transfers/),
and "transfer this member" for staff.

Thin adapters: parse (forms.py) → gate (access.py) → service (services/transfer.py) → render.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from gonghui.core.actions import form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.scope import scope_of

from ...access import access_member, access_transfer
from ...forms import CancelForm, NoteForm, RefuseForm, StaffTransferForm, TransferFilterForm
from ...models import Member, Transfer, TransferStatus
from ...services import transfer as services
from ..shared import target_of, timeline


def member_detail_url(user: Any, member: Member) -> str:
    """The registry's member page, when it exists and the user may see the member there."""
    if not Member.objects.visible_to(user).filter(pk=member.pk).exists():
        return ""
    try:
        return reverse("members:detail", args=[member.uuid])
    except NoReverseMatch:
        return ""


def _load(key: Any) -> Transfer:
    """Reload a transfer with its timeline after a transition (the caller already passed the gate)."""
    return (Transfer.objects.select_related("member__union", "member__employer", "from_union", "to_union",
                                            "to_employer")
            .prefetch_related("events__actor").get(uuid=key))


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
        "section": "members", "transfer": transfer, "steps": timeline(transfer),
        "actions": services.allowed_actions(request.user, transfer),
        "member_url": member_detail_url(request.user, transfer.member),
    }


def _card(request: HttpRequest, transfer: Transfer) -> Callable[[], HttpResponse]:
    """HTMX: the transfer card again, as it is after the action."""
    return lambda: render(request, "members/transfer_card.html", _detail_context(request, _load(transfer.uuid)))


# The console's actions on a transfer: the service checks the caller's side (Forbidden is not caught: the
# other side or a viewer gets the 403 page); HTMX swaps the transfer card, a plain POST goes back to it.
transfer_action = partial(object_action, access_transfer, fragment=_card,
                          back=lambda request, transfer: reverse("members:transfer_detail",
                                                                 kwargs={"key": transfer.uuid}))


@transfer_action(form=NoteForm, success="已同意转出，等待转入工会接收")
def transfer_release(request: HttpRequest, transfer: Transfer, data: Mapping[str, Any]) -> Any:
    return services.transfer_release(actor=request.user, transfer=transfer, note=data.get("note", ""))


@transfer_action(form=NoteForm)
def transfer_accept(request: HttpRequest, transfer: Transfer, data: Mapping[str, Any]) -> str:
    text = f"已接收，会员已转入{transfer.to_union.name}"
    services.transfer_accept(actor=request.user, transfer=transfer, note=data.get("note", ""))
    return text


@transfer_action(form=RefuseForm, success="已退回，会员仍在原工会")
def transfer_refuse(request: HttpRequest, transfer: Transfer, data: Mapping[str, Any]) -> Any:
    return services.transfer_refuse(actor=request.user, transfer=transfer, reason=data["reason"])


@transfer_action(form=CancelForm, success="已撤销该会籍转移")
def transfer_cancel(request: HttpRequest, transfer: Transfer, data: Mapping[str, Any]) -> Any:
    return services.transfer_cancel(actor=request.user, transfer=transfer, reason=data.get("reason", ""))


@staff_required
def staff_transfer(request: HttpRequest, key: str) -> HttpResponse:
    """Start a transfer for a member of my branch (linked from the member's page)."""
    member = access_member(request.user, key, write=True)
    form = StaffTransferForm(request.POST or None)

    def start(data: Any) -> Transfer:
        union, employer = target_of(data["target"])
        return services.transfer_start(actor=request.user, member=member, to_union=union, to_employer=employer,
                                       reason=data["reason"])

    done = submit(request, form, run=start, success=lambda t: f"已发起会籍转移，等待{t.to_union.name}接收",
                  redirect_to=lambda t: reverse("members:transfer_detail", args=[t.uuid]))
    if done:
        return done
    open_transfer = Transfer.objects.filter(member=member, status__in=services.OPEN_STATUSES).first()
    return render(request, "members/transfer_start.html", {
        "section": "members", "member": member, "form": form, "open_transfer": open_transfer,
        "member_url": member_detail_url(request.user, member),
    }, status=form_status(request, form))
