"""The surveys API against the cast: scope (other branch 404, read-only 403, anonymous 401) and the
worker's journey through the same services."""

from __future__ import annotations

import pytest

from gonghui.surveys import services
from gonghui.surveys.models import Draft, QuestionKind, Response, Survey
from gonghui.testing import Cast, scope_matrix

pytestmark = pytest.mark.django_db


def draft(cast: Cast) -> Survey:
    survey = services.survey_create(actor=cast.district_a_officer, union=cast.district_a, title="需求调查",
                                    employment_form="gig")
    services.question_save(actor=cast.district_a_officer, survey=survey, kind=QuestionKind.SINGLE,
                           title="最需要的服务", options=["休息驿站", "法律援助"])
    return survey


def test_it_gates_the_staff_endpoints(cast: Cast) -> None:
    survey = draft(cast)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/surveys/{survey.uuid}"), overrides={"auditor": 404})
    scope_matrix(cast, lambda c, s: c.post(f"/api/v1/surveys/{s.uuid}/publish"), target=lambda: draft(cast),
                 write=True, overrides={"auditor": 404})
    body = {"kind": "number", "title": "每天工作几小时？"}
    scope_matrix(cast, lambda c, s: c.post(f"/api/v1/surveys/{s.uuid}/questions", body,
                                           content_type="application/json"),
                 target=lambda: draft(cast), write=True, overrides={"auditor": 404})


def test_it_lets_a_gig_worker_answer_through_the_api(cast: Cast) -> None:
    officer = cast.client("district_a_officer", api=True)
    created = officer.post("/api/v1/surveys/", {"union": str(cast.district_a.uuid), "title": "骑手需求调查",
                                                "employment_form": "gig"}, content_type="application/json")
    assert created.status_code == 201, created.content
    key = created.json()["uuid"]
    q = officer.post(f"/api/v1/surveys/{key}/questions", {"kind": "single", "title": "最需要的服务",
                                                          "options": ["休息驿站", "法律援助"]},
                     content_type="application/json")
    assert q.status_code == 201
    assert officer.post(f"/api/v1/surveys/{key}/publish").json()["status"] == "published"

    worker = cast.client("gig_worker_a", api=True)
    assert [s["uuid"] for s in worker.get("/api/v1/surveys/mine").json()] == [key]
    questions = worker.get(f"/api/v1/surveys/mine/{key}/questions").json()
    option = questions[0]["options"][1]["uuid"]
    bad = worker.post(f"/api/v1/surveys/mine/{key}/submit", {"answers": {questions[0]["uuid"]: []}},
                      content_type="application/json")
    assert bad.status_code == 400 and "请回答" in bad.json()["message"]
    wrong_type = worker.post(f"/api/v1/surveys/mine/{key}/submit", {"answers": "x"}, content_type="application/json")
    assert wrong_type.status_code in (400, 422)
    saved = worker.put(f"/api/v1/surveys/mine/{key}/draft", {"answers": {questions[0]["uuid"]: [option]}},
                       content_type="application/json")
    assert saved.status_code == 204 and Draft.objects.get().data == {questions[0]["uuid"]: [option]}
    ok = worker.post(f"/api/v1/surveys/mine/{key}/submit", {"answers": {questions[0]["uuid"]: [option]}},
                     content_type="application/json")
    assert ok.status_code == 201
    assert Response.objects.get().answers.get().option.label == "法律援助"
    assert not Draft.objects.exists()  # the draft goes when the response is submitted
    results = officer.get(f"/api/v1/surveys/{key}/results").json()
    assert results["responses"] == 1 and results["audience"] == 1 and results["response_rate"] == 100.0
    assert [(o["label"], o["count"], o["percent"]) for o in results["questions"][0]["options"]] == [
        ("休息驿站", 0, 0.0), ("法律援助", 1, 100.0)]
    assert cast.client("district_b_officer", api=True).get(f"/api/v1/surveys/{key}/results").status_code == 404
    again = worker.post(f"/api/v1/surveys/mine/{key}/submit", {"answers": {questions[0]["uuid"]: [option]}},
                        content_type="application/json")
    assert again.status_code == 409
    # Not a gig worker / another branch / anonymous.
    assert cast.client("worker_a", api=True).get(f"/api/v1/surveys/mine/{key}/questions").status_code == 404
    assert cast.client("worker_b", api=True).get(f"/api/v1/surveys/mine/{key}/questions").status_code == 404
    assert cast.client(None).get("/api/v1/surveys/mine").status_code == 401
    assert worker.get(f"/api/v1/surveys/{key}").status_code == 403  # staff endpoints refuse workers


def test_it_takes_public_answers_once_per_device(cast: Cast) -> None:
    from gonghui.surveys.models import Audience

    actor = cast.district_a_officer
    survey = services.survey_create(actor=actor, union=cast.district_a, title="驿站满意度", anonymous=True,
                                    audience=Audience.PUBLIC)
    q = services.question_save(actor=actor, survey=survey, kind=QuestionKind.NPS, title="您会推荐这个驿站吗？")
    services.survey_publish(actor=actor, survey=survey)
    phone = cast.client(None)
    url = f"/api/v1/surveys/public/{survey.public_token}/"
    assert phone.get(url + "questions").json()[0]["uuid"] == str(q.uuid)
    body = {"answers": {str(q.uuid): ["9"]}}
    assert phone.post(url + "submit", body, content_type="application/json").status_code == 201
    assert phone.post(url + "submit", body, content_type="application/json").status_code == 409  # same device
    assert cast.client(None).post(url + "submit", body, content_type="application/json").status_code == 201
    rows = list(Response.objects.values_list("member_id", "anonymous", "channel"))
    assert rows == [(None, True, "public")] * 2
    assert all(len(h) == 64 for h in Response.objects.values_list("device_hash", flat=True))
    assert cast.client(None).get("/api/v1/surveys/public/nope/questions").status_code == 404


def test_it_rate_limits_the_public_link(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.cache import cache

    from gonghui.surveys import device
    from gonghui.surveys.models import Audience

    cache.clear()
    monkeypatch.setattr(device, "PUBLIC_LIMIT", 1)
    actor = cast.district_a_officer
    survey = services.survey_create(actor=actor, union=cast.district_a, title="驿站满意度", anonymous=True,
                                    audience=Audience.PUBLIC)
    q = services.question_save(actor=actor, survey=survey, kind=QuestionKind.SCALE5, title="满意度")
    services.survey_publish(actor=actor, survey=survey)
    url, body = f"/api/v1/surveys/public/{survey.public_token}/submit", {"answers": {str(q.uuid): ["5"]}}
    assert cast.client(None).post(url, body, content_type="application/json").status_code == 201
    refused = cast.client(None).post(url, body, content_type="application/json")  # another device, same address
    assert refused.status_code == 429 and "频繁" in refused.json()["message"]
