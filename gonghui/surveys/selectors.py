"""Read queries: the surveys a member may answer, a survey's results (counts and percentages per option,
means, response rate), cross-tabulation by union, employment form, gender and age band, and word
frequencies of text answers. Each is a fixed number of set-based queries whatever the number of
responses (GROUP BY in the database, never a query per response or per option)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Case, Count, F, IntegerField, QuerySet, Value, When

from gonghui.members.models import EmploymentForm, Gender, Member
from gonghui.unions.models import Union

from .models import (
    CHOICE_KINDS,
    SCALE_RANGES,
    TEXT_KINDS,
    AgeBand,
    Answer,
    Audience,
    Draft,
    Participation,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    SurveyVersion,
)

STATUS_FILTERS = SurveyStatus.choices


def survey_filter(user: Any, params: Any) -> tuple[QuerySet[Survey], dict[str, Any]]:
    """The console list: surveys in the caller's scope, by status and a title search."""
    qs = Survey.objects.visible_to(user).select_related("union")
    status = params.get("status", "")
    if status in SurveyStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    q = " ".join(str(params.get("q", "")).split())[:50]
    if q:
        qs = qs.filter(title__icontains=q)
    return qs, {"status": status, "q": q}


def member_surveys(member: Member) -> list[Survey]:
    """The published surveys for ``member``, each with ``done`` (submitted) and ``drafted`` (暂存);
    three queries."""
    surveys = list(Survey.objects.for_member(member).select_related("union")[:100])
    ids = [s.pk for s in surveys]
    done = set(Participation.objects.filter(member=member, survey_id__in=ids).values_list("survey_id", flat=True))
    drafted = set(Draft.objects.filter(member=member, survey_id__in=ids).values_list("survey_id", flat=True))
    for s in surveys:
        s.done = s.pk in done
        s.drafted = s.pk in drafted
    return sorted(surveys, key=lambda s: s.done)


def audience_size(survey: Survey) -> int | None:
    """Current members the survey is for (its union's subtree, its employment form); None when the
    audience is not a member list (a public link, staff collection)."""
    if survey.audience != Audience.MEMBERS:
        return None
    qs = Member.objects.current().filter(union__path__startswith=survey.union.path)
    if survey.employment_form:
        qs = qs.filter(employment_form=survey.employment_form)
    return qs.count()


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def results(survey: Survey, version: SurveyVersion | None = None) -> dict[str, Any]:
    """Per question of ``version`` (default: the live one): how many answered it and, for choice
    questions, each option's count and percentage of those; for scales and NPS the count of each
    score, the mean (and the NPS: promoters minus detractors); the mean of numbers. A fixed number of
    queries whatever the size."""
    version = version or survey.live
    total = Response.objects.filter(survey=survey, version=version).count() if version else 0
    size = audience_size(survey)
    members = Response.objects.filter(survey=survey, channel="member").count()
    by_channel = dict(Response.objects.filter(survey=survey).values_list("channel").annotate(n=Count("id"))
                      .order_by())
    out: dict[str, Any] = {"responses": total, "audience": size, "response_rate": pct(members, size or 0),
                           "by_channel": by_channel, "questions": []}
    if version is None:
        return out
    answers = Answer.objects.filter(question__version=version)
    answered = dict(answers.values_list("question").annotate(n=Count("response", distinct=True)).order_by())
    by_option = dict(answers.filter(option__isnull=False).values_list("option").annotate(n=Count("id")).order_by())
    means = dict(answers.filter(number__isnull=False).values_list("question").annotate(m=Avg("number")).order_by())
    scores: dict[int, dict[int, int]] = {}
    for qid, number, n in (answers.filter(question__kind__in=list(SCALE_RANGES), number__isnull=False)
                           .values_list("question", "number").annotate(n=Count("id")).order_by()):
        scores.setdefault(qid, {})[int(number)] = n
    for q in version.questions.select_related("section", "show_if_option__question").prefetch_related("options"):
        n = answered.get(q.pk, 0)
        item: dict[str, Any] = {
            "uuid": q.uuid, "order": q.order, "title": q.title, "kind": q.kind, "kind_label": q.get_kind_display(),
            "answered": n, "mean": round(float(means[q.pk]), 2) if q.pk in means else None,
            "options": [{"label": o.label, "count": by_option.get(o.pk, 0), "percent": pct(by_option.get(o.pk, 0), n)}
                        for o in q.options.all()],
            "scores": [], "nps": None,
        }
        if q.kind in SCALE_RANGES:
            counts = scores.get(q.pk, {})
            item["scores"] = [{"label": f"{v}分", "count": counts.get(v, 0), "percent": pct(counts.get(v, 0), n)}
                              for v in q.scale]
            if q.kind == QuestionKind.NPS and n:
                promoters = sum(c for v, c in counts.items() if v >= 9)
                detractors = sum(c for v, c in counts.items() if v <= 6)
                item["nps"] = round(100 * (promoters - detractors) / n, 1)
        out["questions"].append(item)
    return out


# --- Cross-tabulation -------------------------------------------------------------------------------------------

CROSS_DIMENSIONS = {"union": "下级工会", "employment_form": "就业形态", "gender": "性别", "age_band": "年龄段"}
UNKNOWN = "未知"


def _groups(survey: Survey, by: str) -> tuple[Any, list[tuple[Any, str]]]:
    """The GROUP BY expression on Answer for ``by`` and the groups [(key, label)] in display order."""
    if by == "union":
        children = list(Union.objects.filter(parent=survey.union).order_by("name").values_list("pk", "path", "name"))
        whens = [When(response__union_id=survey.union_id, then=Value(survey.union_id))]
        whens += [When(response__union__path__startswith=path, then=Value(pk)) for pk, path, _ in children]
        expr = Case(*whens, default=Value(0), output_field=IntegerField())
        groups = [(survey.union_id, f"{survey.union.name}（本级）"), *[(pk, name) for pk, _, name in children]]
        return expr, [*groups, (0, "公开或代为采集")]
    field = {"employment_form": "response__employment_form", "gender": "response__gender",
             "age_band": "response__age_band"}[by]
    choices = {"employment_form": EmploymentForm.choices, "gender": Gender.choices, "age_band": AgeBand.choices}[by]
    return F(field), [*choices, ("", UNKNOWN)]


def crosstab(survey: Survey, by: str, version: SurveyVersion | None = None) -> dict[str, Any]:
    """The choice questions of ``version`` (default: live) by the respondents' group ``by`` (a key of
    CROSS_DIMENSIONS): per group the number who answered each question and per option its count and
    percentage of them. Two GROUP BY queries (and one for the union's children) for all questions."""
    version = version or survey.live
    if by not in CROSS_DIMENSIONS or version is None:
        return {"by": by, "groups": [], "questions": []}
    expr, groups = _groups(survey, by)
    answers = Answer.objects.filter(question__version=version, question__kind__in=list(CHOICE_KINDS))
    cells = {(o, g): n for o, g, n in answers.filter(option__isnull=False).annotate(g=expr)
             .values_list("option", "g").annotate(n=Count("id")).order_by()}
    totals = {(q, g): n for q, g, n in answers.annotate(g=expr).values_list("question", "g")
              .annotate(n=Count("response", distinct=True)).order_by()}
    present = {g for (_, g) in totals}
    shown = [(k, label) for k, label in groups if k in present]
    questions = []
    for q in version.questions.filter(kind__in=list(CHOICE_KINDS)).prefetch_related("options"):
        rows = [{"label": o.label, "cells": [{"count": cells.get((o.pk, k), 0),
                                              "percent": pct(cells.get((o.pk, k), 0), totals.get((q.pk, k), 0))}
                                             for k, _ in shown]} for o in q.options.all()]
        questions.append({"order": q.order, "title": q.title, "totals": [totals.get((q.pk, k), 0) for k, _ in shown],
                          "rows": rows})
    return {"by": by, "label": CROSS_DIMENSIONS[by], "groups": [label for _, label in shown], "questions": questions}


# --- Text answers -----------------------------------------------------------------------------------------------

try:  # Chinese word segmentation when the optional jieba is installed; phrases otherwise
    import jieba  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    jieba = None

SEGMENTED = jieba is not None
STOP_WORDS = frozenset("的 了 和 是 在 我 我们 有 也 就 都 很 希望 可以 能 能够 一些 一下 没有 还有 这个 那个 "
                       "以及 还是 或者 什么 比较 非常 无 暂无 没 不 要 想 多 好 及 与 等".split())
_SPLIT = re.compile(r"[\s，。、；：！？,.;:!?（）()【】\[\]“”\"'/\\|～~…—\-]+|和|以及|及|与|还有|或者")


def _words(text: str) -> Iterable[str]:
    if jieba is not None:
        for word in jieba.cut(text):
            word = word.strip()
            if len(word) >= 2 and word not in STOP_WORDS and not word.isdigit():
                yield word
        return
    # Without segmentation: the answer's phrases (short answers name a need in a few characters).
    for phrase in _SPLIT.split(text):
        phrase = phrase.strip()
        if 2 <= len(phrase) <= 12 and phrase not in STOP_WORDS:
            yield phrase


def text_answers(version: SurveyVersion | None, *, limit: int = 5000, top: int = 20,
                 recent: int = 10) -> list[dict[str, Any]]:
    """Per text question: how many answered, the most frequent words (phrases without jieba) among
    the last ``limit`` answers, and the ``recent`` latest answers. One query per text question."""
    if version is None:
        return []
    out = []
    for q in version.questions.filter(kind__in=list(TEXT_KINDS)):
        texts = list(Answer.objects.filter(question=q).exclude(text="").order_by("-id")
                     .values_list("text", flat=True)[:limit])
        counts = Counter(w for t in texts for w in _words(t))
        out.append({"order": q.order, "title": q.title, "answered": len(texts), "words": counts.most_common(top),
                    "recent": texts[:recent]})
    return out


def responses_for_export(survey: Survey) -> QuerySet[Response]:
    return (Response.objects.filter(survey=survey).select_related("union", "member", "collector", "version")
            .order_by("id"))


def collected_by(survey: Survey) -> list[tuple[str, int]]:
    """Staff-collected responses per collector (显示名称, count)."""
    rows = (Response.objects.filter(survey=survey, collector__isnull=False).values_list("collector")
            .annotate(n=Count("id")).order_by("-n"))
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[pk for pk, _ in rows])}
    return [(users[pk].name if pk in users else "—", n) for pk, n in rows]
