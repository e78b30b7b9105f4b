"""The first slice of surveys: building with versions, publishing, skip logic on submit, anonymity
(no member link on the row, held by the database), once per member / device, and bad input."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.surveys import services
from gonghui.surveys.access import access_survey, member_survey
from gonghui.surveys.models import Audience, Participation, QuestionKind, Response, Survey, SurveyStatus
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db


def build(cast: Cast, *, anonymous: bool = False, **kw: object) -> tuple[Survey, dict[str, object]]:
    actor = cast.district_a_officer
    survey = services.survey_create(actor=actor, union=cast.district_a, title="新就业形态劳动者需求调查",
                                    anonymous=anonymous, **kw)
    q1 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SINGLE, title="您是否遇到过休息难？",
                                options=["是", "否"])
    yes = q1.options.get(label="是")
    q2 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.LONG_TEXT, title="请具体说说",
                                show_if=yes.uuid)
    q3 = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SCALE5, title="对驿站的满意度")
    services.survey_publish(actor=actor, survey=survey)
    survey.refresh_from_db()
    return survey, {"q1": q1, "yes": yes, "no": q1.options.get(label="否"), "q2": q2, "q3": q3}


def test_it_applies_skip_logic_and_required_only_for_shown_questions(cast: Cast) -> None:
    survey, q = build(cast)
    member = cast.members["gig_worker_a"]
    # q2 is hidden (answered 否): its answer is dropped and it is not required.
    r = services.response_submit(survey=survey, member=member, answers={
        str(q["q1"].uuid): [str(q["no"].uuid)], str(q["q2"].uuid): ["不该保存"], str(q["q3"].uuid): ["4"]})
    assert sorted(a.question_id for a in r.answers.all()) == sorted([q["q1"].pk, q["q3"].pk])
    assert r.member == member and r.union == member.union
    # Shown when 是: then it is required.
    with pytest.raises(ValidationFailed) as exc:
        services.parse_answers(survey.live, {str(q["q1"].uuid): [str(q["yes"].uuid)], str(q["q3"].uuid): ["3"]})
    assert exc.value.detail == {f"q_{q['q2'].uuid}": "此题必答"}


def test_it_stores_no_member_link_for_an_anonymous_survey(cast: Cast) -> None:
    survey, q = build(cast, anonymous=True)
    member = cast.members["gig_worker_a"]
    r = services.response_submit(survey=survey, member=member, answers={
        str(q["q1"].uuid): [str(q["no"].uuid)], str(q["q3"].uuid): ["5"]})
    with connection.cursor() as cur:
        cur.execute("SELECT member_id, anonymous FROM surveys_response WHERE id = %s", [r.pk])
        assert cur.fetchone() == (None, True)
    assert Participation.objects.filter(survey=survey, member=member).exists()
    # The database refuses a member link on an anonymous response, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=r.pk).update(member=member)
    # Once per member holds without the link.
    with pytest.raises(Conflict):
        services.response_submit(survey=survey, member=member, answers={
            str(q["q1"].uuid): [str(q["no"].uuid)], str(q["q3"].uuid): ["5"]})


def test_it_keeps_one_response_per_device_on_the_public_link(cast: Cast) -> None:
    survey, q = build(cast, anonymous=True, audience=Audience.PUBLIC)
    answers = {str(q["q1"].uuid): [str(q["no"].uuid)], str(q["q3"].uuid): ["2"]}
    services.response_submit(survey=survey, answers=answers, device_hash="a" * 64)
    with pytest.raises(Conflict):
        services.response_submit(survey=survey, answers=answers, device_hash="a" * 64)
    services.response_submit(survey=survey, answers=answers, device_hash="b" * 64)
    survey.refresh_from_db()
    assert survey.response_count == 2


def test_it_freezes_the_live_version_and_edits_a_new_one(cast: Cast) -> None:
    survey, q = build(cast)
    member = cast.members["gig_worker_a"]
    old = services.response_submit(survey=survey, member=member, answers={
        str(q["q1"].uuid): [str(q["no"].uuid)], str(q["q3"].uuid): ["4"]})
    services.question_save(actor=cast.district_a_officer, survey=survey, kind=QuestionKind.NPS, title="推荐度")
    survey.refresh_from_db()
    assert survey.live.questions.count() == 3 and survey.draft.questions.count() == 4
    copied_rule = survey.draft.questions.get(order=2).show_if_option
    assert copied_rule.question.version == survey.draft and copied_rule.label == "是"
    services.survey_publish(actor=cast.district_a_officer, survey=survey)
    survey.refresh_from_db()
    assert survey.live.number == 2 and survey.draft is None and old.version.number == 1


def test_it_refuses_bad_input_with_chinese_messages(cast: Cast) -> None:
    survey, q = build(cast)
    bad = {str(q["q1"].uuid): ["not-an-option"], str(q["q3"].uuid): ["9"]}
    with pytest.raises(ValidationFailed) as exc:
        services.parse_answers(survey.live, bad)
    assert set(exc.value.detail) == {f"q_{q['q1'].uuid}", f"q_{q['q3'].uuid}"}
    with pytest.raises(ValidationFailed):
        services.parse_answers(survey.live, {str(q["q3"].uuid): {"x": 1}})  # wrong type
    with pytest.raises(ValidationFailed, match="选择题至少需要两个选项"):
        services.question_save(actor=cast.district_a_officer, survey=survey, kind="single", title="题",
                               options=["\x00"])
    with pytest.raises(ValidationFailed, match="显示条件"):
        services.question_save(actor=cast.district_a_officer, survey=survey, kind="number", title="题", show_if="x")
    with pytest.raises(ValidationFailed, match="不能超过"):
        services.survey_create(actor=cast.district_a_officer, union=cast.district_a, title="长" * 500)
    with pytest.raises(ValidationFailed, match="只能匿名"):
        services.survey_create(actor=cast.district_a_officer, union=cast.district_a, title="公开",
                               audience=Audience.PUBLIC)


def test_it_closes_and_duplicates(cast: Cast) -> None:
    survey, _ = build(cast)
    services.survey_close(actor=cast.district_a_officer, survey=survey)
    assert survey.status == SurveyStatus.CLOSED
    with pytest.raises(Conflict):
        services.survey_close(actor=cast.district_a_officer, survey=survey)
    copy = services.survey_duplicate(actor=cast.district_a_officer, survey=survey)
    assert copy.status == SurveyStatus.DRAFT and copy.draft.questions.count() == 3


def test_it_gates_surveys_by_branch_and_audience(cast: Cast) -> None:
    survey, _ = build(cast, employment_form="gig")
    assert access_survey(cast.district_a_officer, survey.uuid, write=True) == survey
    with pytest.raises(NotFound):
        access_survey(cast.district_b_officer, survey.uuid)
    assert member_survey(cast.members["gig_worker_a"], survey.uuid) == survey
    for name in ("worker_a", "worker_b"):  # not a gig worker; another branch
        with pytest.raises(NotFound):
            member_survey(cast.members[name], survey.uuid)
