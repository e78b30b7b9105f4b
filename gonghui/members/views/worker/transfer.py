"""会籍转移 on the H5: the worker's own request (/members/transfer/).

Thin adapters: parse (forms.py) → gate (access.py) → service (services/transfer.py) → render.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, form_status, submit
from gonghui.core.errors import NotFound

from ...access import own_member
from ...forms import CancelForm, TransferStartForm
from ...models import Member, MemberStatus, Transfer
from ...services import transfer as services
from ..shared import target_of, timeline


def join_url() -> str:
    """The joining page (views/worker/joining.py); a plain path where it is not routed."""
    try:
        return reverse("members:join")
    except NoReverseMatch:
        return "/members/join/"


@login_required
def transfer_mine(request: HttpRequest) -> HttpResponse:
    """See where my transfer stands; start one when there is none."""
    member = own_member(request.user)
    if member is None:
        return render(request, "members/transfer_mine.html", {"tab": "me", "member": None, "join_url": join_url()})
    form = TransferStartForm(request.POST or None)

    def start(data: Any) -> None:
        union, employer = target_of(data["target"])
        services.transfer_start(actor=request.user, member=member, to_union=union, to_employer=employer,
                                reason=data["reason"])

    done = submit(request, form, run=start, success="已提交会籍转移申请，请等待工会办理",
                  redirect_to=reverse("members:transfer_mine"))
    if done:
        return done
    transfers = list(Transfer.objects.filter(member=member).select_related("from_union", "to_union", "to_employer")
                     .prefetch_related("events"))
    current = next((t for t in transfers if t.status in services.OPEN_STATUSES), None)
    return render(request, "members/transfer_mine.html", {
        "tab": "me", "member": member, "form": form, "current": current,
        "steps": timeline(current) if current else [],
        "past": [t for t in transfers if t is not current],
        "can_start": current is None and member.status == MemberStatus.ACTIVE,
    }, status=form_status(request, form))


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
