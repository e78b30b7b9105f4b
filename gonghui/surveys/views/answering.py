"""What the answer form shows, shared by the worker's page, the public page, staff collection and the
builder's preview: the questions of a version with their sections, skip rules, options (shuffled
where asked), the values so far and the errors. The form itself is templates/surveys/_answer_form.html;
static/surveys/answer.js hides the questions whose rule is not met (the server checks again)."""

from __future__ import annotations

import random
from typing import Any

from django.http import HttpRequest

from ..forms import answers_from_post
from ..models import CHOICE_KINDS, SCALE_RANGES, QuestionKind, SurveyVersion


def question_keys(version: SurveyVersion) -> list[str]:
    return [str(u) for u in version.questions.values_list("uuid", flat=True)]


def posted_answers(request: HttpRequest, version: SurveyVersion) -> dict[str, list[str]]:
    return answers_from_post(request.POST, question_keys(version))


def form_items(version: SurveyVersion, values: dict[str, list[str]] | None = None,
               errors: dict[str, str] | None = None, *, shuffle: bool = True) -> list[dict[str, Any]]:
    """One item per question in order: {q, section (when it starts one), options, values, error, rule}."""
    values = values or {}
    errors = errors or {}
    questions = list(version.questions.select_related("section", "show_if_option__question")
                     .prefetch_related("options"))
    items = []
    last_section = None
    for q in questions:
        options = list(q.options.all())
        if shuffle and q.shuffle:
            random.shuffle(options)
        rule = q.show_if_option
        section = q.section if q.section_id != last_section else None
        last_section = q.section_id
        items.append({
            "q": q, "section": section, "options": options, "values": values.get(str(q.uuid), []),
            "value": (values.get(str(q.uuid)) or [""])[0], "error": errors.get(f"q_{q.uuid}", ""),
            "rule": rule, "rule_order": rule.question.order if rule else None,
            "scale": q.scale if q.kind in SCALE_RANGES else [], "choice": q.kind in CHOICE_KINDS,
            "input_type": {QuestionKind.NUMBER: "number", QuestionKind.DATE: "date"}.get(q.kind, "text"),
        })
    return items
