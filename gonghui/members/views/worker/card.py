"""The worker's e-member card with its rotating QR code on the H5 (/members/card/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.modules import scan_routes, works_with_data
from gonghui.lib import qr

from ...access import own_member
from ...models import Member
from ...services import card as services
from .transfer import join_url


def _card_context(request: HttpRequest, member: Member) -> dict[str, object]:
    valid = member.status in services.VALID_STATUSES
    payload = services.card_payload(member, base_url=request.build_absolute_uri("/")) if valid else ""
    return {
        "member": member, "valid": valid, "qr": qr.svg_inline(payload) if valid else "",
        "rotated_at": member.card_token_rotated_at, "expires_at": services.card_token_expires_at(member),
    }


@login_required
def card(request: HttpRequest) -> HttpResponse:
    """My card. A token older than a day is replaced as the page opens."""
    member = own_member(request.user)
    if member is None:
        return render(request, "members/card.html", {"tab": "me", "member": None, "join_url": join_url()})
    if member.status in services.VALID_STATUSES:
        services.card_refresh_if_stale(member=member, actor=request.user)
    return render(request, "members/card.html", {"tab": "me", **_card_context(request, member)})


@login_required
@require_POST
def card_rotate(request: HttpRequest) -> HttpResponse:
    """刷新二维码: a new token at once; the QR code shown before stops working."""
    member = own_member(request.user)
    if member is None or member.status not in services.VALID_STATUSES:
        return redirect("members:card")
    services.card_refresh(member=member, actor=request.user)
    if request.htmx:
        return render(request, "members/card_qr.html", _card_context(request, member))
    messages.success(request, "二维码已刷新，之前的二维码已失效")
    return redirect("members:card")


def card_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where a scanned e-card QR code lands (/members/c/<token>/): the page the scanner's role can use.

    Staff go to the member when the member is in their branch, else to the console's card check (masked);
    a module's ScanRoute (a partner's cashier → 核验会员卡) comes next; anyone else, signed in or not, gets
    a page that says only whether the card is valid. Every scan that reads the card is audited.
    """
    user = request.user
    if user.is_authenticated and works_with_data(user):
        holder = services.card_holder(token)
        if holder is not None and Member.objects.visible_to(user).filter(pk=holder.pk).exists():
            services.card_verify(token=token, actor=user)
            return redirect("members:detail", holder.uuid)
        return redirect("members:card_check_token", token)
    if user.is_authenticated:
        for route in scan_routes():
            if route.applies(user):
                return redirect(route.url(token))
    result = services.card_verify(token=token, actor=user if user.is_authenticated else None)
    return render(request, "members/card_scan.html", {"valid": result["valid"], "checked_at": result["checked_at"]})
