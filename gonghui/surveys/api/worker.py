"""/api/v1/surveys/ for workers (members): the surveys for me, one survey's questions, 暂存 and 提交."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from gonghui.members.access import require_member

from .. import services
from ..access import member_survey, public_survey
from ..device import device_token, limit_public, remember
from ..models import Survey
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


@router.get("/public/{token}/questions", auth=None, response=list[QuestionOut], summary="公开问卷的题目（无需登录）")
def public_questions(request: HttpRequest, token: str) -> list:
    survey = public_survey(token)
    return list(survey.live.questions.select_related("show_if_option").prefetch_related("options"))


@router.post("/public/{token}/submit", auth=None, response={201: ResponseOut},
             summary="提交公开问卷（匿名，每台设备一次）")
def public_submit(request: HttpRequest, response: HttpResponse, token: str, payload: AnswersIn) -> Status:
    survey = public_survey(token)
    limit_public(request)
    device, new = device_token(request)
    if new:
        remember(response, request, device)
    saved = services.response_submit(survey=survey, answers=payload.answers,
                                     device_hash=services.device_hash(device, survey))
    return Status(201, saved)
