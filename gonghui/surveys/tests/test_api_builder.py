"""The API beyond the first slice: editing and ordering questions and sections, duplicating, staff
collection (respond again, attributed to the collector), cross-tabs and text answers."""

from __future__ import annotations

import pytest

from gonghui.surveys import services
from gonghui.surveys.models import Audience, Response, Survey
from gonghui.testing import Cast, scope_matrix

from .helpers import need_survey

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_it_gates_collection_and_analysis(cast: Cast) -> None:
    survey, parts = need_survey(cast, anonymous=True, audience=Audience.STAFF)
    body = {"answers": {str(parts["q1"].uuid): [str(parts["legal"].uuid)], str(parts["q3"].uuid): ["4"]}}
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/surveys/{survey.uuid}/collect", body, content_type=JSON),
                 write=True, overrides={"auditor": 404})
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/surveys/{survey.uuid}/crosstab?by=gender"),
                 overrides={"auditor": 404})
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/surveys/{survey.uuid}/texts"), overrides={"auditor": 404})
    scope_matrix(cast, lambda c, s: c.post(f"/api/v1/surveys/{s.uuid}/duplicate"),
                 target=lambda: need_survey(cast, publish=False)[0], write=True, overrides={"auditor": 404})


def test_it_collects_again_and_again_through_the_api(cast: Cast) -> None:
    survey, parts = need_survey(cast, audience=Audience.STAFF)
    officer = cast.client("district_a_officer", api=True)
    body = {"answers": {str(parts["q1"].uuid): [str(parts["other"].uuid)], str(parts["q3"].uuid): ["4"]}}
    missing = officer.post(f"/api/v1/surveys/{survey.uuid}/collect", body, content_type=JSON)
    assert missing.status_code == 400 and f"q_{parts['q2'].uuid}" in missing.json()["detail"]
    body["answers"][str(parts["q2"].uuid)] = ["夜间驿站"]
    first = officer.post(f"/api/v1/surveys/{survey.uuid}/collect", body, content_type=JSON)
    second = officer.post(f"/api/v1/surveys/{survey.uuid}/collect", body, content_type=JSON)
    assert first.status_code == second.status_code == 201 and second.json()["collected_by_me"] == 2
    assert set(Response.objects.values_list("collector", flat=True)) == {cast.district_a_officer.pk}
    texts = officer.get(f"/api/v1/surveys/{survey.uuid}/texts").json()
    assert texts[0]["words"] == [{"word": "夜间驿站", "count": 2}]


def test_it_cross_tabulates_through_the_api(cast: Cast) -> None:
    survey, parts = need_survey(cast)
    for who in ("worker_a", "gig_worker_a"):
        services.response_submit(survey=survey, member=cast.members[who], answers={
            str(parts["q1"].uuid): [str(parts["station"].uuid)], str(parts["q3"].uuid): ["5"]})
    c = cast.client("district_a_viewer", api=True)
    body = c.get(f"/api/v1/surveys/{survey.uuid}/crosstab?by=employment_form").json()
    assert body["groups"] == ["单位职工", "新就业形态劳动者"] and body["questions"][0]["totals"] == [1, 1]
    bad = c.get(f"/api/v1/surveys/{survey.uuid}/crosstab?by=salary")
    assert bad.status_code == 400 and "by" in bad.json()["detail"]


def test_it_edits_orders_and_deletes_through_the_api(cast: Cast) -> None:
    survey, parts = need_survey(cast, publish=False)
    c = cast.client("district_a_officer", api=True)
    base = f"/api/v1/surveys/{survey.uuid}"
    section = c.post(f"{base}/sections", {"title": "评价"}, content_type=JSON)
    assert section.status_code == 201
    changed = c.put(f"{base}/questions/{parts['q3'].uuid}", {"kind": "scale10", "title": "满意度（10分）",
                                                             "section": section.json()["uuid"]}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["kind"] == "scale10"
    refused = c.post(f"{base}/questions/{parts['q2'].uuid}/move", {"up": True}, content_type=JSON)
    assert refused.status_code == 400 and "显示条件" in refused.json()["message"]
    assert c.post(f"{base}/questions/{parts['q4'].uuid}/move", {"up": True}, content_type=JSON).status_code == 204
    assert c.delete(f"{base}/questions/{parts['q5'].uuid}").status_code == 204
    assert c.delete(f"{base}/sections/{section.json()['uuid']}").status_code == 204
    survey.refresh_from_db()
    assert list(survey.draft.questions.values_list("title", flat=True)) == [
        "最需要的服务", "请说明其他需求", "希望的活动", "满意度（10分）"]
    copy = c.post(f"{base}/duplicate")
    assert copy.status_code == 201 and len(copy.json()["draft_questions"]) == 4
    assert Survey.objects.count() == 2
    assert c.delete(f"{base}/questions/{parts['q5'].uuid}").status_code == 404
