"""/api/v1/surveys/ for staff: surveys in the caller's scope, creating, adding questions, publish /
close. The same gates (access.py) and services as everything else."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.unions.access import access_union_for_work

from .. import selectors, services
from ..access import access_survey
from ..models import Survey
from ..schemas import QuestionIn, QuestionOut, ResultsOut, SurveyDetailOut, SurveyIn, SurveyOut

router = Router()


@router.get("/", response=list[SurveyOut], summary="问卷列表（范围内）")
@paginate(Page)
def survey_list(request: HttpRequest):
    return Survey.objects.visible_to(request.user).select_related("union")


@router.post("/", response={201: SurveyDetailOut}, summary="新建问卷（草稿）")
def survey_create(request: HttpRequest, payload: SurveyIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    survey = services.survey_create(actor=request.user, union=union, **payload.dict(exclude={"union"}))
    return Status(201, access_survey(request.user, survey.uuid))


@router.get("/{uuid:key}", response=SurveyDetailOut, summary="问卷详情（发布版本和待发布版本的题目）")
def survey_get(request: HttpRequest, key: UUID) -> Survey:
    return access_survey(request.user, key)


@router.post("/{uuid:key}/questions", response={201: QuestionOut},
             summary="添加题目（已发布的问卷：加到新版本，发布后生效）")
def question_add(request: HttpRequest, key: UUID, payload: QuestionIn) -> Status:
    survey = access_survey(request.user, key, write=True)
    question = services.question_save(actor=request.user, survey=survey, **payload.dict())
    return Status(201, question)


@router.post("/{uuid:key}/publish", response=SurveyDetailOut, summary="发布问卷或发布新版本")
def survey_publish(request: HttpRequest, key: UUID) -> Survey:
    survey = access_survey(request.user, key, write=True)
    services.survey_publish(actor=request.user, survey=survey)
    return access_survey(request.user, key)


@router.post("/{uuid:key}/close", response=SurveyOut, summary="结束收集")
def survey_close(request: HttpRequest, key: UUID) -> Survey:
    survey = access_survey(request.user, key, write=True)
    return services.survey_close(actor=request.user, survey=survey)


@router.get("/{uuid:key}/results", response=ResultsOut, summary="统计结果：各选项人数和比例、填写率")
def survey_results(request: HttpRequest, key: UUID) -> dict:
    return selectors.results(access_survey(request.user, key))
