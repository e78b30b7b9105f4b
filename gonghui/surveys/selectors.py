"""Read queries: a survey's results (counts and percentages per option, response rate)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count

from gonghui.members.models import Member

from .models import Answer, Audience, Response, Survey, SurveyVersion


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
    questions, each option's count and percentage of those; the mean of scales and numbers. A fixed
    number of queries whatever the size."""
    version = version or survey.live
    total = Response.objects.filter(survey=survey, version=version).count() if version else 0
    size = audience_size(survey)
    members = Response.objects.filter(survey=survey, channel="member").count()
    out: dict[str, Any] = {"responses": total, "audience": size, "response_rate": pct(members, size or 0),
                           "questions": []}
    if version is None:
        return out
    answers = Answer.objects.filter(question__version=version)
    answered = dict(answers.values_list("question").annotate(n=Count("response", distinct=True)).order_by())
    by_option = dict(answers.filter(option__isnull=False).values_list("option").annotate(n=Count("id")).order_by())
    means = dict(answers.filter(number__isnull=False).values_list("question").annotate(m=Avg("number")).order_by())
    for q in version.questions.prefetch_related("options"):
        n = answered.get(q.pk, 0)
        out["questions"].append({
            "uuid": q.uuid, "order": q.order, "title": q.title, "kind": q.kind, "answered": n,
            "mean": round(float(means[q.pk]), 2) if q.pk in means else None,
            "options": [{"label": o.label, "count": by_option.get(o.pk, 0), "percent": pct(by_option.get(o.pk, 0), n)}
                        for o in q.options.all()],
        })
    return out
