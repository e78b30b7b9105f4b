"""/api/v1/surveys/ for staff: surveys in the caller's scope, creating, adding questions, publish /
close. The same gates (access.py) and services as everything else."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import ValidationFailed
from gonghui.core.scope import owned
from gonghui.unions.access import access_union_for_work

from .. import selectors, services
from ..access import access_survey
from ..models import Question, Section, Survey
from ..schemas import (
    AnswersIn,
    CrosstabOut,
    QuestionIn,
    QuestionOut,
    ResultsOut,
    SurveyCollectedOut,
    SurveyDetailOut,
    SurveyIn,
    SurveyMoveIn,
    SurveyOut,
    SurveySectionIn,
    SurveySectionOut,
    TextAnswersOut,
)

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


# A question or a section belongs to the gated survey through one of its versions.
def _question(survey: Survey, key: UUID) -> Question:
    return owned(Question.objects.all(), owner=survey, via="version__survey", message="未找到该题目", uuid=key)


def _section(survey: Survey, key: UUID) -> Section:
    return owned(Section.objects.all(), owner=survey, via="version__survey", message="未找到该分节", uuid=key)


@router.put("/{uuid:key}/questions/{uuid:question}", response=QuestionOut,
            summary="修改题目（已发布的问卷：改在新版本）")
def question_update(request: HttpRequest, key: UUID, question: UUID, payload: QuestionIn) -> Question:
    survey = access_survey(request.user, key, write=True)
    return services.question_save(actor=request.user, survey=survey, question=_question(survey, question),
                                  **payload.dict())


@router.delete("/{uuid:key}/questions/{uuid:question}", response={204: None}, summary="删除题目")
def question_delete(request: HttpRequest, key: UUID, question: UUID) -> Status:
    survey = access_survey(request.user, key, write=True)
    services.question_delete(actor=request.user, survey=survey, question=_question(survey, question))
    return Status(204, None)


@router.post("/{uuid:key}/questions/{uuid:question}/move", response={204: None}, summary="题目上移或下移")
def question_move(request: HttpRequest, key: UUID, question: UUID, payload: SurveyMoveIn) -> Status:
    survey = access_survey(request.user, key, write=True)
    services.question_move(actor=request.user, survey=survey, question=_question(survey, question), up=payload.up)
    return Status(204, None)


@router.post("/{uuid:key}/sections", response={201: SurveySectionOut}, summary="添加分节")
def section_add(request: HttpRequest, key: UUID, payload: SurveySectionIn) -> Status:
    survey = access_survey(request.user, key, write=True)
    return Status(201, services.section_add(actor=request.user, survey=survey, title=payload.title))


@router.delete("/{uuid:key}/sections/{uuid:section}", response={204: None}, summary="删除分节（题目保留）")
def section_delete(request: HttpRequest, key: UUID, section: UUID) -> Status:
    survey = access_survey(request.user, key, write=True)
    services.section_delete(actor=request.user, survey=survey, section=_section(survey, section))
    return Status(204, None)


@router.post("/{uuid:key}/sections/{uuid:section}/move", response={204: None}, summary="分节（连同题目）上移或下移")
def section_move(request: HttpRequest, key: UUID, section: UUID, payload: SurveyMoveIn) -> Status:
    survey = access_survey(request.user, key, write=True)
    services.section_move(actor=request.user, survey=survey, section=_section(survey, section), up=payload.up)
    return Status(204, None)


@router.post("/{uuid:key}/duplicate", response={201: SurveyDetailOut}, summary="复制问卷（新草稿）")
def survey_duplicate(request: HttpRequest, key: UUID) -> Status:
    survey = access_survey(request.user, key)
    access_union_for_work(request.user, survey.union.uuid)
    copy = services.survey_duplicate(actor=request.user, survey=survey)
    return Status(201, access_survey(request.user, copy.uuid))


@router.post("/{uuid:key}/collect", response={201: SurveyCollectedOut},
             summary="代为采集一份答卷（可反复提交；记录采集人）")
def survey_collect(request: HttpRequest, key: UUID, payload: AnswersIn) -> Status:
    survey = access_survey(request.user, key, write=True)
    saved = services.response_submit(survey=survey, answers=payload.answers, collector=request.user)
    mine = survey.responses.filter(collector=request.user).count()
    return Status(201, {"uuid": saved.uuid, "submitted_at": saved.submitted_at, "collected_by_me": mine})


@router.get("/{uuid:key}/crosstab", response=CrosstabOut,
            summary="交叉分析：选择题按下级工会（union）、就业形态（employment_form）、性别（gender）或年龄段（age_band）")
def survey_crosstab(request: HttpRequest, key: UUID, by: str = "union") -> dict:
    if by not in selectors.CROSS_DIMENSIONS:
        raise ValidationFailed("by 须为 union、employment_form、gender 或 age_band", detail={"by": "取值无效"})
    return selectors.crosstab(access_survey(request.user, key), by)


@router.get("/{uuid:key}/texts", response=list[TextAnswersOut], summary="文字题：高频词和最近的答案")
def survey_texts(request: HttpRequest, key: UUID) -> list:
    return selectors.text_answers(access_survey(request.user, key).live)
