"""H5 pages (/surveys/…): my surveys to answer, answering on the phone (暂存 as you go and on the 暂存
button, resume later; skip logic hidden in the browser and always checked again by the service),
the public survey by link/QR (anonymous, once per device) and the thank-you page. An invalid
answer re-renders the form with the Chinese messages (200)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.members.access import own_member, require_member

from .. import selectors, services
from ..access import member_survey, public_survey
from ..device import device_token, limit_public, remember
from ..models import Draft, Participation, Survey
from .answering import form_items, posted_answers

NOT_A_MEMBER = "您还不是工会会员，入会后即可参与工会问卷"


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    surveys = selectors.member_surveys(member) if member is not None else []
    return render(request, "surveys/h5/mine.html", {"tab": "me", "surveys": surveys, "member": member})


def _answer_page(request: HttpRequest, survey: Survey, *, values: dict[str, list[str]], errors: dict[str, str],
                 error: str = "", action: str, draft_url: str = "", saved_at: Any = None) -> HttpResponse:
    return render(request, "surveys/h5/answer.html", {
        "tab": "me", "survey": survey, "items": form_items(survey.live, values, errors), "error": error,
        "action": action, "draft_url": draft_url, "saved_at": saved_at, "public": not draft_url,
    })


@login_required
def answer(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    survey = member_survey(member, key)
    if Participation.objects.filter(survey=survey, member=member).exists():
        return redirect(reverse("surveys:thanks") + "?done=1")
    action = reverse("surveys:answer", args=[survey.uuid])
    draft_url = reverse("surveys:draft", args=[survey.uuid])
    if request.method == "POST":
        values = posted_answers(request, survey.live)
        if request.POST.get("save"):
            services.draft_save(member=member, survey=survey, answers=values)
            messages.success(request, "已暂存，下次打开可接着填写")
            return redirect(action)
        try:
            services.response_submit(survey=survey, member=member, answers=values)
        except DomainError as exc:
            return _answer_page(request, survey, values=values, errors=dict(exc.detail or {}), error=exc.message,
                                action=action, draft_url=draft_url)
        return redirect(reverse("surveys:thanks"))
    draft = Draft.objects.filter(survey=survey, member=member, version=survey.live).first()
    return _answer_page(request, survey, values=draft.data if draft else {}, errors={}, action=action,
                        draft_url=draft_url, saved_at=draft.updated_at if draft else None)


@login_required
@require_POST
def draft(request: HttpRequest, key: str) -> HttpResponse:
    """Save as you go (answer.js posts the form here when an answer changes)."""
    member = require_member(request.user, message=NOT_A_MEMBER)
    survey = member_survey(member, key)
    try:
        saved = services.draft_save(member=member, survey=survey, answers=posted_answers(request, survey.live))
    except DomainError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
    return JsonResponse({"ok": True, "saved_at": saved.updated_at.isoformat()})


def public(request: HttpRequest, token: str) -> HttpResponse:
    """The survey by its public link or QR code: anyone, anonymous, once per device."""
    survey = public_survey(token)
    action = reverse("surveys:public", args=[survey.public_token])
    if request.method != "POST":
        return _answer_page(request, survey, values={}, errors={}, action=action)
    values = posted_answers(request, survey.live)
    device, new = device_token(request)
    try:
        limit_public(request)
        services.response_submit(survey=survey, answers=values, device_hash=services.device_hash(device, survey))
    except DomainError as exc:
        response = _answer_page(request, survey, values=values, errors=dict(exc.detail or {}), error=exc.message,
                                action=action)
    else:
        response = redirect(reverse("surveys:thanks") + "?public=1")
    if new:
        remember(response, request, device)
    return response


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/h5/thanks.html", {"tab": "me", "done": request.GET.get("done") == "1",
                                                      "public": request.GET.get("public") == "1"})
