"""The staff card check in the console (/console/members/card-check/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.core.decorators import staff_required

from ...services import card as services


@staff_required
def card_check(request: HttpRequest, token: str = "") -> HttpResponse:
    """Type, paste or scan a card's code and see the live status (masked). Every check is audited."""
    token = token or request.GET.get("token", "").strip()
    result = services.card_verify(token=token, actor=request.user) if token else None
    template = "members/card_check_result.html" if request.htmx else "members/card_check.html"
    return render(request, template, {"section": "members", "result": result, "token": token})
