"""The H5 pages (/surveys/…): my surveys, answering with 暂存 and resume, skip logic checked again on the
server, the public link (anonymous, once per device), the thank-you page."""

from __future__ import annotations

import pytest

from gonghui.surveys.models import Audience, Draft, Participation, Response
from gonghui.testing import Cast

from .helpers import form_data, need_survey

pytestmark = pytest.mark.django_db


def test_it_lists_my_surveys_for_my_employment_form(cast: Cast) -> None:
    gig, _ = need_survey(cast, employment_form="gig")
    page = cast.client("gig_worker_a").get("/surveys/").content.decode()
    assert gig.title in page and "去填写" in page
    assert gig.title not in cast.client("worker_a").get("/surveys/").content.decode()
    assert gig.title not in cast.client("worker_b").get("/surveys/").content.decode()
    assert "入会后即可参与" in cast.client("district_a_officer").get("/surveys/").content.decode()
    assert cast.client(None).get("/surveys/").status_code == 302
    assert cast.client("worker_b").get(f"/surveys/{gig.uuid}/").status_code == 404
    assert cast.client("worker_a").get(f"/surveys/{gig.uuid}/").status_code == 404


def test_it_saves_as_you_go_and_resumes(cast: Cast) -> None:
    survey, parts = need_survey(cast)
    c = cast.client("worker_a")
    url = f"/surveys/{survey.uuid}/"
    saved = c.post(f"{url}draft/", form_data(parts, q1=str(parts["other"].uuid), q2="夜间休息点"))
    assert saved.status_code == 200 and saved.json()["ok"]
    page = c.get(url).content.decode()
    assert 'value="夜间休息点"' in page and "暂存的答案" in page
    assert f'value="{parts["other"].uuid}" checked' in page
    button = c.post(url, {**form_data(parts, q1=str(parts["legal"].uuid)), "save": "1"})
    assert button.status_code == 302
    assert Draft.objects.get().data[str(parts["q1"].uuid)] == [str(parts["legal"].uuid)]
    assert "我的问卷" in c.get("/surveys/").content.decode() and "继续填写" in c.get("/surveys/").content.decode()


def test_it_rerenders_errors_in_chinese_and_applies_skip_logic(cast: Cast) -> None:
    survey, parts = need_survey(cast)
    c = cast.client("worker_a")
    url = f"/surveys/{survey.uuid}/"
    # 其他 chosen: the dependent question is shown, so required; the scale is out of range.
    bad = c.post(url, form_data(parts, q1=str(parts["other"].uuid), q3="9"))
    text = bad.content.decode()
    assert bad.status_code == 200 and "此题必答" in text and "请在1到5分之间选择" in text
    assert 'value="9"' not in text or "has-error" in text
    assert not Response.objects.exists()
    # 休息驿站 chosen: the dependent question is hidden; an answer sent for it anyway is dropped.
    ok = c.post(url, form_data(parts, q1=str(parts["station"].uuid), q2="不该保存", q3="4",
                               q4=[str(o.uuid) for o in parts["q4"].options.all()[:2]], q5="10.5"))
    assert ok.status_code == 302 and ok["Location"] == "/surveys/thanks/"
    response = Response.objects.get()
    assert response.member.user == cast.worker_a and response.union == cast.members["worker_a"].union
    assert response.age_band == "30s" and response.gender
    assert not response.answers.filter(question=parts["q2"]).exists()
    assert response.answers.filter(question=parts["q4"]).count() == 2
    assert c.get(url)["Location"] == "/surveys/thanks/?done=1"
    assert "已提交" in c.get("/surveys/").content.decode()
    assert "您已提交过" in c.get("/surveys/thanks/?done=1").content.decode()


def test_it_keeps_no_member_link_on_an_anonymous_survey(cast: Cast) -> None:
    survey, parts = need_survey(cast, anonymous=True)
    c = cast.client("gig_worker_a")
    assert c.post(f"/surveys/{survey.uuid}/", form_data(parts, q1=str(parts["legal"].uuid), q3="5")).status_code == 302
    response = Response.objects.get()
    assert response.member_id is None and response.anonymous and response.employment_form == "gig"
    assert Participation.objects.filter(member=cast.members["gig_worker_a"]).exists()
    again = c.post(f"/surveys/{survey.uuid}/", form_data(parts, q1=str(parts["legal"].uuid), q3="5"))
    assert again.status_code == 302 and Response.objects.count() == 1


def test_it_takes_public_answers_once_per_device(cast: Cast) -> None:
    from django.core.cache import cache

    cache.clear()
    survey, parts = need_survey(cast, anonymous=True, audience=Audience.PUBLIC)
    phone = cast.client(None)
    url = f"/surveys/p/{survey.public_token}/"
    page = phone.get(url)
    assert page.status_code == 200 and survey.title in page.content.decode() and "暂存" not in page.content.decode()
    bad = phone.post(url, form_data(parts, q1="不是选项", q3="3"))
    assert bad.status_code == 200 and "选项无效" in bad.content.decode()
    ok = phone.post(url, form_data(parts, q1=str(parts["station"].uuid), q3="3"))
    assert ok.status_code == 302 and ok["Location"] == "/surveys/thanks/?public=1"
    again = phone.post(url, form_data(parts, q1=str(parts["station"].uuid), q3="3"))
    assert again.status_code == 200 and "这台设备已经提交过" in again.content.decode()
    other_phone = cast.client(None)
    assert other_phone.post(url, form_data(parts, q1=str(parts["legal"].uuid), q3="2")).status_code == 302
    rows = Response.objects.filter(survey=survey)
    assert rows.count() == 2 and not rows.filter(member__isnull=False).exists()
    assert set(rows.values_list("channel", flat=True)) == {"public"}
    assert cast.client(None).get("/surveys/p/nope/").status_code == 404
    members, _ = need_survey(cast)
    assert cast.client(None).get(f"/surveys/p/{members.public_token}/").status_code == 404
