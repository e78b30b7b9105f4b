"""The survey's Excel exports: 原始答卷 (one row per response, one column per question) and 汇总
(per option counts and percentages, means, and the cross-tables). Written through lib.excel's
streaming writer into a spooled file; a survey with many responses is exported as a job (tasks.py).
Every export writes an audit row. Named surveys show the respondent's masked name only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from gonghui.core import audit
from gonghui.lib.excel import XLSX_MIME, spooled, write_workbook_to

from . import selectors
from .models import Answer, Survey

KINDS = {"raw": "原始答卷", "summary": "汇总"}
INLINE_LIMIT = 2000  # more responses than this: a job
CHUNK = 1000


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _answer_text(answer: Answer) -> str:
    if answer.option_id:
        return answer.option.label
    if answer.number is not None:
        return f"{answer.number.normalize():f}"
    if answer.day is not None:
        return answer.day.isoformat()
    return answer.text


def raw_sheet(survey: Survey) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of 原始答卷: each chunk of responses with its answers in one query."""
    questions = []
    for version in survey.versions.filter(published_at__isnull=False).order_by("number"):
        prefix = f"V{version.number}-" if survey.versions.filter(published_at__isnull=False).count() > 1 else ""
        questions += [(q.pk, f"{prefix}{q.order}. {q.title}") for q in version.questions.all()]
    header = ["序号", "提交时间", "版本", "填写方式", "采集人", "会员" if not survey.anonymous else "（匿名）",
              "所在工会", "性别", "就业形态", "年龄段", *[title for _, title in questions]]
    column = {pk: n for n, (pk, _) in enumerate(questions)}

    def rows() -> Iterator[list[Any]]:
        qs = selectors.responses_for_export(survey)
        last = 0
        number = 0
        while True:
            chunk = list(qs.filter(id__gt=last)[:CHUNK])
            if not chunk:
                return
            last = chunk[-1].pk
            answers: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
            for a in (Answer.objects.filter(response_id__in=[r.pk for r in chunk]).select_related("option")
                      .order_by("id")):
                answers[a.response_id][a.question_id].append(_answer_text(a))
            for r in chunk:
                number += 1
                cells = [""] * len(questions)
                for qid, texts in answers[r.pk].items():
                    if qid in column:
                        cells[column[qid]] = "；".join(texts)
                yield [number, _local(r.submitted_at), r.version.number, r.get_channel_display(),
                       r.collector.name if r.collector_id else "",
                       r.member.masked_name if r.member_id else "", r.union.name if r.union_id else "",
                       r.get_gender_display(), r.get_employment_form_display(), r.get_age_band_display(), *cells]
    return header, rows()


def summary_sheets(survey: Survey) -> list[tuple[str, list[str], list[list[Any]]]]:
    data = selectors.results(survey)
    rows: list[list[Any]] = [["答卷总数", "", "", data["responses"], ""]]
    if data["audience"] is not None:
        rows.append(["应答人数（在会会员）", "", "", data["audience"], ""])
        rows.append(["会员填写率（%）", "", "", data["response_rate"] or 0, ""])
    for q in data["questions"]:
        rows.append([f"{q['order']}. {q['title']}", q["kind_label"], "作答人数", q["answered"], ""])
        for o in q["options"] or q["scores"]:
            rows.append(["", "", o["label"], o["count"], o["percent"] if o["percent"] is not None else ""])
        if q["mean"] is not None:
            rows.append(["", "", "平均值", q["mean"], ""])
        if q["nps"] is not None:
            rows.append(["", "", "净推荐值（NPS）", q["nps"], ""])
    sheets = [("汇总", ["题目", "题型", "选项", "人数", "比例（%）"], rows)]
    for by, label in selectors.CROSS_DIMENSIONS.items():
        cross = selectors.crosstab(survey, by)
        header = ["题目", "选项", *[f"{g}（人数）" for g in cross["groups"]], *[f"{g}（%）" for g in cross["groups"]]]
        table: list[list[Any]] = []
        for q in cross["questions"]:
            table.append([f"{q['order']}. {q['title']}", "作答人数", *q["totals"], *[""] * len(q["totals"])])
            for row in q["rows"]:
                table.append(["", row["label"], *[c["count"] for c in row["cells"]],
                              *[c["percent"] if c["percent"] is not None else "" for c in row["cells"]]])
        sheets.append((f"按{label}", header, table))
    return sheets


def build(*, actor: Any, survey: Survey, what: str) -> tuple[bytes, str]:
    """The workbook's bytes and file name. Preconditions: ``survey`` came through access_survey."""
    if what == "raw":
        header, rows = raw_sheet(survey)
        sheets: Any = [("原始答卷", header, rows)]
    else:
        sheets = summary_sheets(survey)
    with spooled() as handle:
        count = write_workbook_to(handle, sheets)
        handle.seek(0)
        content = handle.read()
    audit.record("export.survey_" + what, actor=actor, obj=survey, detail={"rows": count})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return content, f"问卷{KINDS[what]}-{survey.title[:30]}-{stamp}.xlsx"


def download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename=\"survey.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response
