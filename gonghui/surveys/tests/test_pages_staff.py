"""The console pages (/console/surveys/…) against the cast, and the builder through plain POSTs and HTMX."""

from __future__ import annotations

import pytest

from gonghui.surveys import services
from gonghui.surveys.models import Audience, Question, QuestionKind, Response, Survey, SurveyStatus
from gonghui.testing import Cast, scope_matrix

from .helpers import form_data, need_survey

pytestmark = pytest.mark.django_db
NO_AUDITOR = {"auditor": 404}


def test_it_gates_the_console_pages(cast: Cast) -> None:
    survey, _ = need_survey(cast)
    base = f"/console/surveys/{survey.uuid}"
    for path in ("/", "/preview/", "/results/", "/export/raw.xlsx", "/export/summary.xlsx"):
        scope_matrix(cast, lambda c, _, p=path: c.get(base + p), api=False, overrides=NO_AUDITOR)
    scope_matrix(cast, lambda c, _: c.get(base + "/edit/"), api=False, write=True, overrides=NO_AUDITOR)
    scope_matrix(cast, lambda c, _: c.get(base + "/collect/"), api=False, write=True, overrides=NO_AUDITOR)
    scope_matrix(cast, lambda c, _: c.get(base + "/questions/new/"), api=False, write=True, overrides=NO_AUDITOR)


def test_it_gates_the_builder_actions(cast: Cast) -> None:
    def fresh() -> Survey:
        return need_survey(cast, publish=False)[0]

    scope_matrix(cast, lambda c, s: c.post(f"/console/surveys/{s.uuid}/publish/"), target=fresh, write=True,
                 api=False, overrides=NO_AUDITOR)
    scope_matrix(cast, lambda c, s: c.post(f"/console/surveys/{s.uuid}/sections/", {"title": "基本情况"}),
                 target=fresh, write=True, api=False, overrides=NO_AUDITOR)
    scope_matrix(cast, lambda c, s: c.post(f"/console/surveys/{s.uuid}/duplicate/"), target=fresh, write=True,
                 api=False, overrides=NO_AUDITOR)

    def question(s: Survey) -> Question:
        return s.draft.questions.get(order=1)

    scope_matrix(cast, lambda c, s: c.post(f"/console/surveys/{s.uuid}/questions/{question(s).uuid}/delete/"),
                 target=fresh, write=True, api=False, overrides=NO_AUDITOR)


def test_it_lists_only_the_callers_branch(cast: Cast) -> None:
    mine, _ = need_survey(cast)
    services.survey_create(actor=cast.district_b_officer, union=cast.district_b, title="乙区满意度调查")
    page = cast.client("district_a_officer").get("/console/surveys/?status=published")
    text = page.content.decode()
    assert page.status_code == 200 and mine.title in text and "乙区满意度调查" not in text
    assert "乙区满意度调查" in cast.client("city_officer").get("/console/surveys/").content.decode()
    assert mine.title not in cast.client("district_a_officer").get("/console/surveys/?status=draft").content.decode()


def test_it_builds_a_survey_with_plain_posts(cast: Cast) -> None:
    c = cast.client("district_a_officer")
    bad = c.post("/console/surveys/new/", {"union": str(cast.district_a.uuid), "title": "", "audience": "public"})
    assert bad.status_code == 200 and "请填写问卷标题" in bad.content.decode()
    refused = c.post("/console/surveys/new/", {"union": str(cast.district_a.uuid), "title": "驿站调查",
                                               "audience": "public"})
    assert refused.status_code == 200 and "公开链接的问卷只能匿名填写" in refused.content.decode()
    created = c.post("/console/surveys/new/", {"union": str(cast.district_a.uuid), "title": "骑手需求调查",
                                               "audience": "members", "employment_form": "gig"})
    survey = Survey.objects.get(title="骑手需求调查")
    assert created.status_code == 302 and created["Location"] == f"/console/surveys/{survey.uuid}/"
    assert c.post(f"/console/surveys/{survey.uuid}/sections/", {"title": "服务需求"}).status_code == 302
    section = survey.draft.sections.get()
    new = f"/console/surveys/{survey.uuid}/questions/new/"
    one_option = c.post(new, {"kind": "single", "title": "最需要的服务", "options": "休息驿站", "required": "on"})
    assert one_option.status_code == 200 and "选择题至少需要两个选项" in one_option.content.decode()
    assert c.post(new, {"kind": "single", "title": "最需要的服务", "options": "休息驿站\n法律援助\n其他",
                        "required": "on", "shuffle": "on", "section": str(section.uuid)}).status_code == 302
    q1 = survey.draft.questions.get()
    other = q1.options.get(label="其他")
    for kind in ("multiple", "scale5", "scale10", "nps", "short_text", "long_text", "number", "date"):
        data = {"kind": kind, "title": f"{kind}题", "options": "甲\n乙" if kind == "multiple" else ""}
        if kind == "short_text":
            data["show_if"] = str(other.uuid)
        assert c.post(new, data).status_code == 302, kind
    assert survey.draft.questions.count() == 9
    assert q1.shuffle and q1.section == section
    text_q = survey.draft.questions.get(kind="short_text")
    assert text_q.show_if_option == other and not text_q.required
    # A rule may only look back: moving the dependent question above its condition is refused.
    moved = c.post(f"/console/surveys/{survey.uuid}/questions/{text_q.uuid}/move/", {"direction": "up"})
    assert moved.status_code == 302
    c.post(f"/console/surveys/{survey.uuid}/questions/{survey.draft.questions.get(kind='multiple').uuid}/move/",
           {"direction": "up"})
    assert survey.draft.questions.get(kind="multiple").order == 1
    page = c.get(f"/console/surveys/{survey.uuid}/")
    assert "第2题选择“其他”时显示" in page.content.decode() or "选择“其他”时显示" in page.content.decode()
    edit = c.post(f"/console/surveys/{survey.uuid}/questions/{q1.uuid}/", {
        "kind": "single", "title": "您最需要的服务", "options": "休息驿站\n法律援助\n其他\n子女托管", "required": "on",
        "section": str(section.uuid)})
    assert edit.status_code == 302
    assert list(q1.options.values_list("label", flat=True)) == ["休息驿站", "法律援助", "其他", "子女托管"]
    assert c.post(f"/console/surveys/{survey.uuid}/publish/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PUBLISHED and survey.live.frozen


def test_it_answers_htmx_with_the_question_list(cast: Cast) -> None:
    survey, parts = need_survey(cast, publish=False)
    c = cast.client("district_a_officer")
    url = f"/console/surveys/{survey.uuid}/questions/{parts['q3'].uuid}/move/"
    fragment = c.post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text and 'id="q-' in text
    assert survey.draft.questions.get(pk=parts["q3"].pk).order == 2
    refused = c.post(f"/console/surveys/{survey.uuid}/questions/{parts['q2'].uuid}/move/", {"direction": "up"},
                     HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "显示条件" in refused.content.decode()
    added = c.post(f"/console/surveys/{survey.uuid}/sections/", {"title": "基本情况"}, HTTP_HX_REQUEST="true")
    assert "基本情况" in added.content.decode()


def test_it_moves_sections_as_blocks_and_keeps_rules_backwards(cast: Cast) -> None:
    survey, parts = need_survey(cast, publish=False)
    actor = cast.district_a_officer
    first = services.section_add(actor=actor, survey=survey, title="基本情况")
    second = services.section_add(actor=actor, survey=survey, title="评价")
    for name in ("q1", "q2"):
        services.question_save(actor=actor, survey=survey, question=parts[name], kind=parts[name].kind,
                               title=parts[name].title, options=[o.label for o in parts[name].options.all()],
                               required=parts[name].required, show_if=getattr(parts[name].show_if_option, "uuid", None),
                               section=first.uuid)
    for name in ("q3", "q4"):
        services.question_save(actor=actor, survey=survey, question=parts[name], kind=parts[name].kind,
                               title=parts[name].title, options=[o.label for o in parts[name].options.all()],
                               required=parts[name].required, section=second.uuid)
    order = list(survey.draft.questions.values_list("title", flat=True))
    assert order[:4] == ["最需要的服务", "请说明其他需求", "对工会服务的满意度", "希望的活动"]
    services.section_move(actor=actor, survey=survey, section=second, up=True)
    assert list(survey.draft.questions.values_list("title", flat=True))[:4] == [
        "对工会服务的满意度", "希望的活动", "最需要的服务", "请说明其他需求"]
    services.section_delete(actor=actor, survey=survey, section=first)
    assert survey.draft.questions.count() == 5 and survey.draft.sections.count() == 1


def test_it_duplicates_and_edits_settings(cast: Cast) -> None:
    survey, _ = need_survey(cast)
    c = cast.client("district_a_officer")
    response = c.post(f"/console/surveys/{survey.uuid}/duplicate/")
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response["Location"] == f"/console/surveys/{copy.uuid}/"
    assert copy.status == SurveyStatus.DRAFT and copy.draft.questions.count() == 5
    assert copy.draft.questions.get(order=2).show_if_option.question.version == copy.draft
    locked = c.post(f"/console/surveys/{survey.uuid}/edit/", {"title": "改名", "audience": "staff"})
    assert locked.status_code == 409 and "不能再修改匿名设置和填写对象" in locked.content.decode()
    ok = c.post(f"/console/surveys/{survey.uuid}/edit/", {"title": "2026年职工需求调查", "audience": "members"})
    assert ok.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "2026年职工需求调查"


def test_it_edits_a_published_survey_into_a_new_version(cast: Cast) -> None:
    survey, parts = need_survey(cast)
    c = cast.client("district_a_officer")
    page = c.get(f"/console/surveys/{survey.uuid}/questions/{parts['q2'].uuid}/")
    assert "保存后将生成新版本" in page.content.decode()
    # The live question's rule is the live option: it is mapped onto the copy in the new version.
    assert c.post(f"/console/surveys/{survey.uuid}/questions/{parts['q2'].uuid}/", {
        "kind": "short_text", "title": "其他需求是什么", "show_if": str(parts["other"].uuid)}).status_code == 302
    survey.refresh_from_db()
    copy = survey.draft.questions.get(order=2)
    assert copy.title == "其他需求是什么" and copy.show_if_option.question.version == survey.draft
    assert survey.live.questions.get(order=2).title == "请说明其他需求"


def test_it_collects_answers_for_staff_again_and_again(cast: Cast) -> None:
    survey, parts = need_survey(cast, anonymous=True, audience=Audience.STAFF)
    c = cast.client("district_a_officer")
    url = f"/console/surveys/{survey.uuid}/collect/"
    missing = c.post(url, form_data(parts, q1=str(parts["other"].uuid), q3="4"))
    assert missing.status_code == 200 and "此题必答" in missing.content.decode()
    for _ in range(2):
        done = c.post(url, form_data(parts, q1=str(parts["station"].uuid), q3="5"))
        assert done.status_code == 302 and done["Location"] == url
    assert "第2份" in c.get(url).content.decode()
    rows = Response.objects.filter(survey=survey)
    assert rows.count() == 2 and {r.collector for r in rows} == {cast.district_a_officer}
    assert all(r.member_id is None and r.channel == "staff" for r in rows)
    viewer = cast.client("district_a_viewer").post(url, form_data(parts, q1=str(parts["station"].uuid), q3="5"))
    assert viewer.status_code == 403
    results = c.get(f"/console/surveys/{survey.uuid}/results/").content.decode()
    assert "代为采集" in results and "2份" in results


def test_it_shows_the_public_qr_and_poster(cast: Cast) -> None:
    survey, _ = need_survey(cast, anonymous=True, audience=Audience.PUBLIC)
    c = cast.client("district_a_officer")
    page = c.get(f"/console/surveys/{survey.uuid}/").content.decode()
    assert f"/surveys/p/{survey.public_token}/" in page and "<svg" in page
    svg = c.get(f"/console/surveys/{survey.uuid}/qr.svg?download=1")
    assert svg["Content-Type"] == "image/svg+xml" and "attachment" in svg["Content-Disposition"]
    poster = c.get(f"/console/surveys/{survey.uuid}/poster/").content.decode()
    assert "微信扫一扫" in poster and survey.title in poster
    members, _ = need_survey(cast)
    assert c.get(f"/console/surveys/{members.uuid}/poster/").status_code == 404


def test_it_previews_every_question_type_in_a_phone_frame(cast: Cast) -> None:
    survey, parts = need_survey(cast, publish=False)
    services.question_save(actor=cast.district_a_officer, survey=survey, kind=QuestionKind.NPS, title="推荐给工友")
    services.question_save(actor=cast.district_a_officer, survey=survey, kind=QuestionKind.DATE, title="入职日期")
    text = cast.client("district_a_viewer").get(f"/console/surveys/{survey.uuid}/preview/").content.decode()
    assert 'class="phone"' in text and f'data-show-if="{parts["other"].uuid}"' in text
    assert 'type="date"' in text and 'type="checkbox"' in text and "非常愿意" in text
