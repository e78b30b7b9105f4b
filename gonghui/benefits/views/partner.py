"""商户核销: the partner's counter on the phone. Scan (or type) the member's coupon code, check it,
confirm; today's redemptions with 撤销; check a member's e-card.

Only accounts that work for a partner (PartnerStaff) get in; everyone else sees a 403 page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from gonghui.core.actions import attempt
from gonghui.core.errors import DomainError
from gonghui.core.headers import allow_features
from gonghui.members.services.card import card_verify

from ..access import partner_of, partner_redemption
from ..forms import ReasonForm, RedeemForm
from ..selectors import partner_today
from ..services import redemption


def _today(partner: object) -> dict[str, object]:
    rows = list(partner_today(partner))
    return {"today": rows, "today_cents": sum(r.discount_cents or 0 for r in rows)}


@allow_features("camera", "autoplay")  # the QR scanner plays the camera in a muted <video>
@login_required
def merchant(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    return render(request, "benefits/merchant.html", {
        "tab": "me", "partner": partner, "serving": partner.is_serving(), **_today(partner),
        # a member's e-card scanned with the camera arrives here (members' ScanRoute) and is checked at once
        "card_token": request.GET.get("card", "").strip()[:300]})


@login_required
def check(request: HttpRequest) -> HttpResponse:
    """HTMX: what the typed or scanned code is — the coupon, its holder (masked), whether it can be used here."""
    partner = partner_of(request.user)
    code = request.GET.get("code", "")
    context: dict[str, object] = {"code": redemption.normalize_code(code)}
    try:
        item = redemption.find_coupon(code)
        context["coupon"] = item
        redemption.check_usable(item, partner)
        context["usable"] = True
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "benefits/_merchant_check.html", context)


@login_required
@require_POST
def redeem(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    form = RedeemForm(request.POST)
    outcome = attempt(lambda data: redemption.coupon_redeem(actor=request.user, partner=partner, code=data["code"],
                                                            bill_cents=form.bill_cents()),
                      form, invalid="请输入券码；消费金额应为正数", handled=(DomainError,))
    context: dict[str, object] = {"partner": partner, **_today(partner)}
    if outcome.error:
        context["error"] = outcome.error
    else:
        done = context["done"] = outcome.result
        if done.bill_cents is not None:
            context["paid_cents"] = done.bill_cents - (done.discount_cents or 0)
    return render(request, "benefits/_merchant_result.html", context, status=outcome.status)


@login_required
@require_POST
def reverse_redemption(request: HttpRequest, key: str) -> HttpResponse:
    partner, item = partner_redemption(request.user, key)
    outcome = attempt(lambda data: redemption.coupon_reverse(actor=request.user, coupon=item, partner=partner,
                                                             reason=data["reason"]),
                      ReasonForm(request.POST), handled=(DomainError,))
    context: dict[str, object] = {"partner": partner, **_today(partner)}
    if outcome.error:
        context["error"] = outcome.error
    else:
        context["reversed"] = outcome.result
    return render(request, "benefits/_merchant_result.html", context, status=outcome.status)


@login_required
def card(request: HttpRequest) -> HttpResponse:
    """HTMX: check a member's e-card QR (the members app's card check; every scan is audited)."""
    partner_of(request.user)
    token = request.GET.get("token", "").strip()
    result = card_verify(token=token, actor=request.user) if token else None
    return render(request, "benefits/_merchant_card.html", {"result": result})
