"""Console pages (/console/surveys/…): the list, creating and editing a survey, the builder (sections,
questions of every type, skip rules, order), duplicate, publish / close, the phone-frame preview,
the public link's QR code and poster, staff collection ("respond again" at a station), the results
(counts, means, cross-tabulation, text answers, charts) and the Excel exports.

Thin adapters: parse (forms.py) → gate (access.py) → service (services.py) → render. The builder's
actions answer HTMX with the question list fragment and plain POSTs with a redirect.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core import jobs
from gonghui.core.actions import act, form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.responses import qr_svg
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.lib import qr
from gonghui.lib.text import parse_uuid
from gonghui.unions.access import access_union_for_work, under_work_union
from gonghui.unions.models import Union

from .. import exports, selectors, services
from ..access import access_survey
from ..forms import MoveForm, NewSurveyForm, QuestionForm, SectionForm, SurveyForm
from ..models import CHOICE_KINDS, Audience, Question, QuestionKind, Section, Survey, SurveyStatus
from .answering import form_items, posted_answers


def can_work(user: Any, survey: Survey) -> bool:
    return scope_of(user).can(survey.union.path, WRITE_ROLES)


def public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys:public", args=[survey.public_token]))


def _detail(survey: Survey) -> str:
    return reverse("surveys:console_detail", args=[survey.uuid])


# --- The list, creating, editing --------------------------------------------------------------------------------


@staff_required
def survey_list(request: HttpRequest) -> HttpResponse:
    qs, filters = selectors.survey_filter(request.user, request.GET)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    scope = scope_of(request.user)
    context = {"section": "surveys", "page": page, "filters": filters, "statuses": SurveyStatus.choices,
               "can_create": scope.is_superuser or bool(scope.paths(WRITE_ROLES))}
    template = "surveys/console/_list_rows.html" if request.htmx else "surveys/console/list.html"
    return render(request, template, context)


@staff_required
def survey_new(request: HttpRequest) -> HttpResponse:
    form = NewSurveyForm(request.POST or None, initial={"union": request.GET.get("union", "")})

    done = submit(request, form, run=under_work_union(request.user, services.survey_create),
                  success=lambda s: f"已创建问卷「{s.title}」（草稿），请添加题目",
                  redirect_to=_detail)
    return done or render(request, "surveys/console/form.html", {
        "section": "surveys", "form": form, "survey": None,
        "unions": Union.objects.writable_by(request.user).order_by("path")[:500],
    }, status=form_status(request, form))


@staff_required
def survey_edit(request: HttpRequest, key: str) -> HttpResponse:
    survey = access_survey(request.user, key, write=True)
    form = SurveyForm(request.POST or None, initial={
        "title": survey.title, "description": survey.description, "audience": survey.audience,
        "employment_form": survey.employment_form, "anonymous": survey.anonymous})

    def save(data: Any) -> Survey:
        return services.survey_update(actor=request.user, survey=survey, **data)

    done = submit(request, form, run=save, success="已保存问卷设置", redirect_to=_detail(survey))
    return done or render(request, "surveys/console/form.html", {"section": "surveys", "form": form,
                                                                 "survey": survey},
                          status=form_status(request, form))


# --- The builder -----------------------------------------------------------------------------------------------


def _builder_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    version = survey.draft or survey.live
    questions = list(version.questions.select_related("section", "show_if_option__question")
                     .prefetch_related("options")) if version else []
    sections = list(version.sections.all()) if version else []
    used = {q.section_id for q in questions}
    blocks: list[dict[str, Any]] = []
    for q in questions:
        if not blocks or blocks[-1]["section_id"] != q.section_id:
            blocks.append({"section_id": q.section_id, "section": q.section, "questions": []})
        blocks[-1]["questions"].append(q)
    return {
        "survey": survey, "version": version, "blocks": blocks, "sections": sections,
        "empty_sections": [s for s in sections if s.pk not in used], "can_work": can_work(request.user, survey),
        "editable": survey.status != SurveyStatus.CLOSED, "frozen": bool(version and version.frozen),
        "rule_choices": [(q, o) for q in questions if q.kind in CHOICE_KINDS for o in q.options.all()],
    }


def _fragment(request: HttpRequest, survey: Survey) -> Any:
    def render_list() -> HttpResponse:
        fresh = access_survey(request.user, survey.uuid)
        return render(request, "surveys/console/_questions.html", _builder_context(request, fresh))
    return render_list


@staff_required
def survey_detail(request: HttpRequest, key: str) -> HttpResponse:
    survey = access_survey(request.user, key)
    context = {"section": "surveys", **_builder_context(request, survey),
               "public_url": public_url(request, survey) if survey.audience == Audience.PUBLIC else "",
               "qr": (qr.svg_inline(public_url(request, survey), title="问卷二维码")
                      if survey.audience == Audience.PUBLIC and survey.status == SurveyStatus.PUBLISHED else ""),
               "section_form": SectionForm(), "collectors": selectors.collected_by(survey)}
    return render(request, "surveys/console/detail.html", context)


def _question_of(survey: Survey, key: Any) -> Question:
    key = parse_uuid(key)
    question = Question.objects.filter(uuid=key, version__survey=survey).first() if key else None
    if question is None:
        raise NotFound("未找到该题目")
    return question


def _section_of(survey: Survey, key: Any) -> Section:
    key = parse_uuid(key)
    section = Section.objects.filter(uuid=key, version__survey=survey).first() if key else None
    if section is None:
        raise NotFound("未找到该分节")
    return section


def _question_page(request: HttpRequest, survey: Survey, question: Question | None) -> HttpResponse:
    initial: dict[str, Any] = {"section": request.GET.get("section", "")}
    if question is not None:
        initial = {"kind": question.kind, "title": question.title, "help_text": question.help_text,
                   "required": question.required, "shuffle": question.shuffle,
                   "options": "\n".join(o.label for o in question.options.all()),
                   "show_if": str(question.show_if_option.uuid) if question.show_if_option_id else "",
                   "section": str(question.section.uuid) if question.section_id else ""}
    form = QuestionForm(request.POST or None, initial=initial)

    def save(data: Any) -> Question:
        return services.question_save(actor=request.user, survey=survey, question=question, kind=data["kind"],
                                      title=data["title"], help_text=data["help_text"], required=data["required"],
                                      shuffle=data["shuffle"], options=form.option_labels(),
                                      show_if=data["show_if"] or None, section=data["section"] or None)

    done = submit(request, form, run=save, success=lambda q: f"已保存第{q.order}题",
                  redirect_to=lambda q: _detail(survey) + f"#q-{q.uuid}")
    if done:
        return done
    version = survey.draft or survey.live
    before = question.order if question is not None else None
    earlier = [q for q in version.questions.filter(kind__in=list(CHOICE_KINDS)).prefetch_related("options")
               if before is None or q.order < before] if version else []
    return render(request, "surveys/console/question_form.html", {
        "section": "surveys", "survey": survey, "form": form, "question": question, "kinds": QuestionKind.choices,
        "rule_choices": [(q, o) for q in earlier for o in q.options.all()],
        "sections": list(version.sections.all()) if version else [],
        "selected_rule": str(form["show_if"].value() or ""), "selected_section": str(form["section"].value() or ""),
        "choice_kinds": sorted(CHOICE_KINDS),
    }, status=form_status(request, form))


@staff_required
def question_new(request: HttpRequest, key: str) -> HttpResponse:
    return _question_page(request, access_survey(request.user, key, write=True), None)


@staff_required
def question_edit(request: HttpRequest, key: str, question: str) -> HttpResponse:
    survey = access_survey(request.user, key, write=True)
    return _question_page(request, survey, _question_of(survey, question))


# The builder's and the survey's one-button actions: gated with write; the builder's answer HTMX with
# the question list, plain POSTs go back to the survey.
survey_action = partial(object_action, partial(access_survey, write=True),
                        back=lambda request, survey: _detail(survey))
builder_action = partial(survey_action, fragment=_fragment)


@builder_action()
def question_delete(request: HttpRequest, survey: Survey, data: Mapping[str, Any], question: str) -> str:
    q = _question_of(survey, question)
    services.question_delete(actor=request.user, survey=survey, question=q)
    return f"已删除题目「{q.title}」"


@builder_action(form=MoveForm)
def question_move(request: HttpRequest, survey: Survey, data: Mapping[str, Any], question: str) -> Any:
    return services.question_move(actor=request.user, survey=survey, question=_question_of(survey, question),
                                  up=data["direction"] == "up")


@builder_action(form=SectionForm, success="已添加分节，可在分节下添加题目")
def section_add(request: HttpRequest, survey: Survey, data: Mapping[str, Any]) -> Any:
    return services.section_add(actor=request.user, survey=survey, title=data["title"])


@builder_action(form=SectionForm, success="已修改分节标题")
def section_rename(request: HttpRequest, survey: Survey, data: Mapping[str, Any], section: str) -> Any:
    return services.section_rename(actor=request.user, survey=survey, section=_section_of(survey, section),
                                   title=data["title"])


@builder_action()
def section_delete(request: HttpRequest, survey: Survey, data: Mapping[str, Any], section: str) -> str:
    s = _section_of(survey, section)
    services.section_delete(actor=request.user, survey=survey, section=s)
    return f"已删除分节「{s.title}」，其中的题目保留"


@builder_action(form=MoveForm)
def section_move(request: HttpRequest, survey: Survey, data: Mapping[str, Any], section: str) -> Any:
    return services.section_move(actor=request.user, survey=survey, section=_section_of(survey, section),
                                 up=data["direction"] == "up")


@survey_action()
def publish(request: HttpRequest, survey: Survey, data: Mapping[str, Any]) -> str:
    text = "已发布新版本，之后的答卷按新版本收集" if survey.status == SurveyStatus.PUBLISHED else "已发布，开始收集答卷"
    services.survey_publish(actor=request.user, survey=survey)
    return text


@survey_action(success="已结束收集")
def close(request: HttpRequest, survey: Survey, data: Mapping[str, Any]) -> Any:
    return services.survey_close(actor=request.user, survey=survey)


@staff_required
@require_POST
def duplicate(request: HttpRequest, key: str) -> HttpResponse:
    survey = access_survey(request.user, key)
    access_union_for_work(request.user, survey.union.uuid)  # the copy belongs to the same union: a write there
    return act(request, run=lambda data: services.survey_duplicate(actor=request.user, survey=survey),
               success="已复制为新的草稿问卷", back=_detail(survey), redirect_to=_detail)


@staff_required
def preview(request: HttpRequest, key: str) -> HttpResponse:
    """The questions as a phone shows them (the version being built, or the live one)."""
    survey = access_survey(request.user, key)
    version = survey.draft or survey.live
    return render(request, "surveys/console/preview.html", {
        "section": "surveys", "survey": survey, "version": version,
        "items": form_items(version) if version else []})


# --- The public link ---------------------------------------------------------------------------------------------


def _public(request: HttpRequest, key: str) -> Survey:
    survey = access_survey(request.user, key)
    if survey.audience != Audience.PUBLIC:
        raise NotFound("该问卷没有公开链接")
    if survey.status != SurveyStatus.PUBLISHED:
        raise ValidationFailed("问卷发布后才有可以扫码填写的二维码")
    return survey


@staff_required
def public_qr(request: HttpRequest, key: str) -> HttpResponse:
    survey = _public(request, key)
    return qr_svg(request, public_url(request, survey), filename=f"survey-{survey.uuid}.svg", scale=10)


@staff_required
def poster(request: HttpRequest, key: str) -> HttpResponse:
    """A printable A4 poster for a station: the title, the QR code and how to answer."""
    survey = _public(request, key)
    return render(request, "surveys/console/poster.html", {
        "survey": survey, "url": public_url(request, survey),
        "qr": qr.svg_inline(public_url(request, survey), title="扫码填写问卷")})


# --- Staff collection ---------------------------------------------------------------------------------------------


@staff_required
def collect(request: HttpRequest, key: str) -> HttpResponse:
    """代为采集: staff enter one respondent's answers, then the empty form again for the next
    (respond again). Each response keeps its collector."""
    survey = access_survey(request.user, key, write=True)
    if survey.status != SurveyStatus.PUBLISHED or survey.live is None:
        messages.error(request, "问卷发布后才能采集答卷")
        return redirect(_detail(survey))
    version = survey.live
    values: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        values = posted_answers(request, version)
        try:
            services.response_submit(survey=survey, answers=values, collector=request.user)
        except DomainError as exc:
            errors, error = dict(exc.detail or {}), exc.message
        else:
            mine = survey.responses.filter(collector=request.user).count()
            messages.success(request, f"已保存，这是您为本问卷采集的第{mine}份答卷。可继续采集下一位")
            return redirect(reverse("surveys:console_collect", args=[survey.uuid]))
    return render(request, "surveys/console/collect.html", {
        "section": "surveys", "survey": survey, "items": form_items(version, values, errors), "error": error,
        "mine": survey.responses.filter(collector=request.user).count()})


# --- Results and exports --------------------------------------------------------------------------------------------


@staff_required
def results(request: HttpRequest, key: str) -> HttpResponse:
    survey = access_survey(request.user, key)
    by = request.GET.get("by", "union")
    if by not in selectors.CROSS_DIMENSIONS:
        by = "union"
    summary = selectors.results(survey)
    charts = [{"id": f"chart-{n}", "labels": [o["label"] for o in (q["options"] or q["scores"])],
               "counts": [o["count"] for o in (q["options"] or q["scores"])]}
              for n, q in enumerate(summary["questions"]) if q["options"] or q["scores"]]
    chart_ids = iter(c["id"] for c in charts)
    for q in summary["questions"]:
        q["chart"] = next(chart_ids) if q["options"] or q["scores"] else ""
    return render(request, "surveys/console/results.html", {
        "section": "surveys", "survey": survey, "summary": summary, "charts": charts,
        "cross": selectors.crosstab(survey, by), "by": by, "dimensions": selectors.CROSS_DIMENSIONS.items(),
        "texts": selectors.text_answers(survey.live), "segmented": selectors.SEGMENTED,
        "collectors": selectors.collected_by(survey)})


@staff_required
def export(request: HttpRequest, key: str, what: str) -> HttpResponse:
    """原始答卷 (raw) or 汇总 (summary) as .xlsx: directly when small, as a job when large."""
    survey = access_survey(request.user, key)
    if what not in exports.KINDS:
        raise NotFound("未找到该导出")
    if survey.response_count > exports.INLINE_LIMIT:
        job = jobs.job_start(kind="surveys.export", title=f"导出问卷{exports.KINDS[what]}：{survey.title}",
                             owner=request.user, union=survey.union,
                             params={"survey_id": survey.pk, "what": what}, result_url=_detail(survey))
        return redirect(jobs.job_url(job))
    content, filename = exports.build(actor=request.user, survey=survey, what=what)
    return exports.download(content, filename)
