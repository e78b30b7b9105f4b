"""Survey fixtures built through the services: a gig workers' need survey with a skip rule."""

from __future__ import annotations

from typing import Any

from gonghui.surveys import services
from gonghui.surveys.models import Audience, QuestionKind, Survey
from gonghui.testing import Cast


def need_survey(cast: Cast, *, publish: bool = True, anonymous: bool = False, audience: str = Audience.MEMBERS,
                employment_form: str = "") -> tuple[Survey, dict[str, Any]]:
    """Q1 单选 最需要的服务 (休息驿站 / 法律援助 / 其他), Q2 shown only for 其他 (required text), Q3 scale,
    Q4 multiple, Q5 number. Returns the survey and {name: question or option}."""
    actor = cast.district_a_officer
    survey = services.survey_create(actor=actor, union=cast.district_a, title="职工需求调查", anonymous=anonymous,
                                    audience=audience, employment_form=employment_form)
    q1 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SINGLE, title="最需要的服务",
                                options=["休息驿站", "法律援助", "其他"])
    other = q1.options.get(label="其他")
    q2 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SHORT_TEXT, title="请说明其他需求",
                                show_if=other.uuid)
    q3 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SCALE5, title="对工会服务的满意度")
    q4 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.MULTIPLE, title="希望的活动",
                                options=["技能培训", "文体活动", "健康体检"], required=False)
    q5 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.NUMBER, title="每天工作几小时",
                                required=False)
    if publish:
        services.survey_publish(actor=actor, survey=survey)
        survey.refresh_from_db()
    return survey, {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "other": other,
                    "station": q1.options.get(label="休息驿站"), "legal": q1.options.get(label="法律援助")}


def form_data(parts: dict[str, Any], **answers: Any) -> dict[str, Any]:
    """POST data of the answer form: q_<uuid> → value(s)."""
    return {f"q_{parts[name].uuid}": value for name, value in answers.items()}
