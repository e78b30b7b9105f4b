"""Results: counts, percentages, means, NPS, response rate, cross-tabs by union, employment form, gender and
age band (a fixed number of queries), text answers, and the Excel exports (inline and as a job)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from gonghui.core.models import Job
from gonghui.surveys import exports, selectors, services
from gonghui.surveys.models import QuestionKind, Survey
from gonghui.testing import Cast

from .helpers import need_survey

pytestmark = pytest.mark.django_db


def answer(cast: Cast, survey: Survey, parts: dict[str, Any], who: str, choice: str, score: str,
           text: str = "") -> None:
    answers = {str(parts["q1"].uuid): [str(parts[choice].uuid)], str(parts["q3"].uuid): [score]}
    if text:
        answers[str(parts["q2"].uuid)] = [text]
    services.response_submit(survey=survey, member=cast.members[who], answers=answers)


def answered(cast: Cast) -> tuple[Survey, dict[str, Any]]:
    survey, parts = need_survey(cast)
    answer(cast, survey, parts, "worker_a", "station", "5")
    answer(cast, survey, parts, "gig_worker_a", "other", "3", text="夜间休息点、充电桩")
    answer(cast, survey, parts, "provider", "station", "4")
    return survey, parts


def test_it_counts_options_means_and_the_response_rate(cast: Cast) -> None:
    survey, _ = answered(cast)
    data = selectors.results(survey)
    assert data["responses"] == 3 and data["audience"] == 3 and data["response_rate"] == 100.0
    q1 = data["questions"][0]
    assert [(o["label"], o["count"], o["percent"]) for o in q1["options"]] == [
        ("休息驿站", 2, 66.7), ("法律援助", 0, 0.0), ("其他", 1, 33.3)]
    q3 = data["questions"][2]
    assert q3["mean"] == 4.0 and [s["count"] for s in q3["scores"]] == [0, 0, 1, 1, 1]


def test_it_computes_the_nps(cast: Cast) -> None:
    actor = cast.district_a_officer
    survey = services.survey_create(actor=actor, union=cast.district_a, title="推荐度")
    q = services.question_save(actor=actor, survey=survey, kind=QuestionKind.NPS, title="推荐给工友")
    services.survey_publish(actor=actor, survey=survey)
    for who, score in (("worker_a", "10"), ("gig_worker_a", "9"), ("provider", "3")):
        services.response_submit(survey=survey, member=cast.members[who], answers={str(q.uuid): [score]})
    assert selectors.results(survey)["questions"][0]["nps"] == 33.3


def test_it_cross_tabulates_by_union_form_gender_and_age(cast: Cast) -> None:
    survey, _ = answered(cast)
    by_union = selectors.crosstab(survey, "union")
    assert by_union["groups"] == ["甲区总工会（本级）", "甲区东街道总工会"]
    q1 = by_union["questions"][0]
    assert q1["totals"] == [2, 1]
    assert [c["count"] for c in q1["rows"][0]["cells"]] == [1, 1]  # 休息驿站: provider (本级), worker_a (street)
    forms = selectors.crosstab(survey, "employment_form")
    assert forms["groups"] == ["单位职工", "新就业形态劳动者"]
    assert [c["percent"] for c in forms["questions"][0]["rows"][2]["cells"]] == [0.0, 100.0]  # 其他: the rider
    ages = selectors.crosstab(survey, "age_band")
    assert ages["groups"] == ["30–39岁", "50岁及以上"] and ages["questions"][0]["totals"] == [2, 1]
    assert selectors.crosstab(survey, "gender")["groups"]
    assert selectors.crosstab(survey, "nonsense")["questions"] == []


def test_it_reads_the_results_in_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey, parts = need_survey(cast)
    answer(cast, survey, parts, "worker_a", "station", "5")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.results(survey)
            for by in selectors.CROSS_DIMENSIONS:
                selectors.crosstab(survey, by)
            selectors.text_answers(survey.live)
        return len(ctx.captured_queries)

    count()  # the survey's union is loaded once, on the first call
    one = count()
    answer(cast, survey, parts, "gig_worker_a", "other", "3", text="充电")
    answer(cast, survey, parts, "provider", "legal", "4")
    assert count() == one


def test_it_counts_words_of_text_answers(cast: Cast) -> None:
    survey, parts = need_survey(cast)
    for who, text in (("worker_a", "充电桩，休息点"), ("gig_worker_a", "充电桩"), ("provider", "法律咨询")):
        answer(cast, survey, parts, who, "other", "4", text=text)
    texts = selectors.text_answers(survey.live)
    assert texts[0]["answered"] == 3 and texts[0]["words"][0] == ("充电桩", 2)


def test_it_shows_the_results_page_with_charts(cast: Cast) -> None:
    survey, _ = answered(cast)
    page = cast.client("district_a_viewer").get(f"/console/surveys/{survey.uuid}/results/?by=age_band")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="survey-charts"' in text and "echarts.min.js" in text
    assert "30–39岁" in text and "66.7%" in text and "夜间休息点" in text


def test_it_exports_raw_answers_and_the_summary(cast: Cast) -> None:
    survey, _ = answered(cast)
    c = cast.client("district_a_officer")
    raw = c.get(f"/console/surveys/{survey.uuid}/export/raw.xlsx")
    assert raw.status_code == 200 and raw["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(raw.content)).get_sheet_by_index(0).to_python()
    assert rows[0][10] == "1. 最需要的服务" and len(rows) == 4
    assert {r[10] for r in rows[1:]} == {"休息驿站", "其他"}
    assert {r[3] for r in rows[1:]} == {"会员填写"} and all(r[5] for r in rows[1:])  # named: the masked name
    summary = c.get(f"/console/surveys/{survey.uuid}/export/summary.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(summary.content))
    assert book.sheet_names[:2] == ["汇总", "按下级工会"]
    first = book.get_sheet_by_index(0).to_python()
    assert ["", "", "休息驿站", 2, 66.7] in [list(r) for r in first]
    assert c.get(f"/console/surveys/{survey.uuid}/export/other.xlsx").status_code == 404


def test_it_exports_a_large_survey_as_a_job(cast: Cast, monkeypatch: pytest.MonkeyPatch,
                                           django_capture_on_commit_callbacks: Any) -> None:
    survey, _ = answered(cast)
    monkeypatch.setattr(exports, "INLINE_LIMIT", 1)
    with django_capture_on_commit_callbacks(execute=True):
        started = cast.client("district_a_officer").get(f"/console/surveys/{survey.uuid}/export/raw.xlsx")
    job = Job.objects.get(kind="surveys.export")
    assert started.status_code == 302 and started["Location"].startswith("/console/jobs/")
    job.refresh_from_db()
    assert job.status == "done", job.result
    assert "3份答卷" in job.result["summary"]
