"""/api/v1/surveys/ for workers (members): the surveys for me, one survey's questions, 暂存 and 提交."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
import secrets
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from gonghui.core import ratelimit
from gonghui.core.context import client_ip
from gonghui.core.errors import NotFound
from gonghui.members.access import require_member

from .. import services
from ..access import member_survey
from ..models import Audience, Survey, SurveyStatus
from ..schemas import AnswersIn, QuestionOut, ResponseOut, SurveyOut

router = Router()
NOT_A_MEMBER = "您还不是工会会员，入会后即可参与工会问卷"


@router.get("/mine", response=list[SurveyOut], summary="我的问卷（会员）：面向我的收集中的问卷")
def my_surveys(request: HttpRequest) -> list[Survey]:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return list(Survey.objects.for_member(member).select_related("union")[:100])


@router.get("/mine/{uuid:key}/questions", response=list[QuestionOut], summary="问卷题目（会员）")
def my_survey_questions(request: HttpRequest, key: UUID) -> list:
    survey = member_survey(require_member(request.user, message=NOT_A_MEMBER), key)
    return list(survey.live.questions.select_related("show_if_option").prefetch_related("options"))


@router.put("/mine/{uuid:key}/draft", response={204: None}, summary="暂存答案（会员）")
def my_draft(request: HttpRequest, key: UUID, payload: AnswersIn) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    services.draft_save(member=member, survey=member_survey(member, key), answers=payload.answers)
    return Status(204, None)


@router.post("/mine/{uuid:key}/submit", response={201: ResponseOut}, summary="提交答卷（会员）")
def my_submit(request: HttpRequest, key: UUID, payload: AnswersIn) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    survey = member_survey(member, key)
    return Status(201, services.response_submit(survey=survey, member=member, answers=payload.answers))


# The public link: anyone may answer, at most PUBLIC_LIMIT times per address per PUBLIC_WINDOW, and once
# per device (a random token in a signed cookie; only its per-survey HMAC is stored).
DEVICE_COOKIE = "gonghui_survey_device"
DEVICE_SALT = "gonghui.surveys.device"
PUBLIC_LIMIT = 20
PUBLIC_WINDOW = 3600


def public_survey(token: str) -> Survey:
    survey = (Survey.objects.select_related("live").filter(public_token=token[:32], audience=Audience.PUBLIC,
                                                          status=SurveyStatus.PUBLISHED).first())
    if survey is None:
        raise NotFound("未找到该问卷，或问卷已结束")
    return survey


@router.get("/public/{token}/questions", auth=None, response=list[QuestionOut], summary="公开问卷的题目（无需登录）")
def public_questions(request: HttpRequest, token: str) -> list:
    survey = public_survey(token)
    return list(survey.live.questions.select_related("show_if_option").prefetch_related("options"))


@router.post("/public/{token}/submit", auth=None, response={201: ResponseOut},
             summary="提交公开问卷（匿名，每台设备一次）")
def public_submit(request: HttpRequest, response: HttpResponse, token: str, payload: AnswersIn) -> Status:
    survey = public_survey(token)
    ratelimit.hit(f"surveys.public:{client_ip(request) or '-'}", limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW,
                  message="提交过于频繁，请稍后再试")
    device = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    if not device:
        device = secrets.token_urlsafe(24)
        response.set_signed_cookie(DEVICE_COOKIE, device, salt=DEVICE_SALT, max_age=365 * 86400, httponly=True,
                                   samesite="Lax", secure=request.is_secure())
    saved = services.response_submit(survey=survey, answers=payload.answers,
                                     device_hash=services.device_hash(device, survey))
    return Status(201, saved)
