"""实名认证绑定 on the H5 (/members/claim/): a signed-in worker binds their account to the member
record a roster import or staff created. Thin adapters over services/claiming.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, form_status, page_status, submit
from gonghui.core.errors import DomainError

from ...access import own_member
from ...forms import ClaimCorrectionForm, ClaimForm
from ...services import claiming as services
from ..shared import posted


def claim(request: HttpRequest) -> HttpResponse:
    """The claim form; 获取验证码 texts a code to the signed-in account's phone."""
    context: dict[str, Any] = {"tab": "me"}
    if not request.user.is_authenticated:
        return render(request, "members/claim.html", {**context, "anonymous": True})
    if own_member(request.user) is not None:
        messages.info(request, services.ALREADY_BOUND)
        return redirect("members:card")
    if request.method == "POST" and request.POST.get("action") == "send":
        form = ClaimForm(initial={"name": request.POST.get("name", ""), "id_number": request.POST.get("id_number", "")})
        send_error, status = "", 200
        try:
            services.claim_code_send(actor=request.user)
        except DomainError as exc:
            send_error, status = exc.message, exc.status
        else:
            messages.success(request, f"验证码已发送至 {request.user.masked_phone}，10分钟内有效")
        return render(request, "members/claim.html", {
            **context, "form": form, "correction": ClaimCorrectionForm(), "send_error": send_error,
            "sent": not send_error}, status=page_status(status))
    form = ClaimForm(posted(request), initial={"name": request.user.name})
    done = submit(request, form, run=lambda data: services.member_claim(actor=request.user, **data),
                  success=lambda member: f"认证成功，已绑定“{member.union.name}”的会员信息",
                  redirect_to=reverse("members:card"), handled=(DomainError,))
    failed = request.method == "POST"
    correction = ClaimCorrectionForm(initial={"name": request.POST.get("name", ""),
                                              "id_number": request.POST.get("id_number", "")} if failed else None)
    return done or render(request, "members/claim.html", {
        **context, "form": form, "correction": correction, "failed": failed, "sent": failed},
        status=form_status(request, form))


@login_required
@require_POST
def claim_correction(request: HttpRequest) -> HttpResponse:
    """申请工会更正登记信息 after a mismatch: the same answer whether a record exists or not."""
    return act(request, form=ClaimCorrectionForm(request.POST),
               run=lambda data: services.claim_correction_request(actor=request.user, **data),
               back=reverse("members:claim"), handled=(DomainError,))
