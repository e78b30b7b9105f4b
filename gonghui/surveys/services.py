"""Survey workflows: building (versions, sections, questions, options, skip rules), publish / close,
duplicate, drafts and submitting a response. Services take the acting user, never the request.

Answers come in one shape from the H5 form, the public page and the API: ``{question uuid: [values]}``
(an option's uuid for choice questions, else the typed text). ``response_submit`` applies the skip
logic (a hidden question's answers are dropped and it is never required) and writes the response
with its answers in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.lib.text import clean_block, clean_line, parse_uuid
from gonghui.members.models import Member
from gonghui.unions.models import Union

from .models import (
    CHOICE_KINDS,
    SCALE_RANGES,
    TEXT_KINDS,
    Answer,
    Audience,
    Channel,
    Draft,
    Option,
    Participation,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyStatus,
    SurveyVersion,
    age_band,
)

if TYPE_CHECKING:
    from gonghui.accounts.models import User

MAX_QUESTIONS = 100
MAX_OPTIONS = 50
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 2000}
NUMBER_LIMIT = Decimal("999999999999")
Answers = Mapping[str, Sequence[str]]


# --- Building ---------------------------------------------------------------------------------------------------


def _check_settings(*, audience: str, anonymous: bool, employment_form: str) -> None:
    if audience not in Audience.values:
        raise ValidationFailed("请选择填写对象", detail={"audience": "请选择填写对象"})
    if audience == Audience.PUBLIC and not anonymous:
        raise ValidationFailed("公开链接的问卷只能匿名填写", detail={"anonymous": "公开链接的问卷只能匿名填写"})
    if employment_form and audience != Audience.MEMBERS:
        message = "只有面向会员的问卷可以限定就业形态"
        raise ValidationFailed(message, detail={"employment_form": message})


def survey_create(*, actor: User, union: Union, title: str, description: str = "", anonymous: bool = False,
                  audience: str = Audience.MEMBERS, employment_form: str = "") -> Survey:
    """新建问卷 (a draft with an empty first version). Preconditions: ``union`` is writable by ``actor``."""
    title = clean_text(title, field="title", label="问卷标题", max_length=100)
    description = clean_text(description, field="description", label="问卷说明", max_length=2000, required=False,
                             multiline=True)
    _check_settings(audience=audience, anonymous=anonymous, employment_form=employment_form)
    with transaction.atomic():
        survey = Survey.objects.create(union=union, title=title, description=description, anonymous=anonymous,
                                       audience=audience, employment_form=employment_form, created_by=actor)
        survey.draft = SurveyVersion.objects.create(survey=survey, number=1)
        survey.save(update_fields=["draft"])
        audit.record("surveys.create", actor=actor, obj=survey, label=survey.title)
    return survey


def survey_update(*, actor: User, survey: Survey, title: str, description: str = "", anonymous: bool | None = None,
                  audience: str | None = None, employment_form: str | None = None) -> Survey:
    """Change the title and description; anonymity and audience only while it is a draft (answers
    were given under them). Preconditions: gated with write=True."""
    changes: dict[str, Any] = {
        "title": clean_text(title, field="title", label="问卷标题", max_length=100),
        "description": clean_text(description, field="description", label="问卷说明", max_length=2000,
                                  required=False, multiline=True),
    }
    settings_changed = any(v is not None and v != getattr(survey, k) for k, v in
                           (("anonymous", anonymous), ("audience", audience), ("employment_form", employment_form)))
    if settings_changed:
        if survey.status != SurveyStatus.DRAFT:
            raise Conflict("问卷发布后不能再修改匿名设置和填写对象")
        new = {"anonymous": survey.anonymous if anonymous is None else anonymous,
               "audience": audience or survey.audience,
               "employment_form": survey.employment_form if employment_form is None else employment_form}
        _check_settings(**new)
        changes.update(new)
    allowed = [SurveyStatus.DRAFT] if settings_changed else [SurveyStatus.DRAFT, SurveyStatus.PUBLISHED]
    return transition(survey, from_=allowed, changes=changes, message="已结束的问卷不能修改",
                      audit="surveys.update", actor=actor)


def copy_version(source: SurveyVersion, *, survey: Survey, number: int) -> SurveyVersion:
    """A new unpublished version of ``survey`` with ``source``'s sections, questions, options and
    skip rules (the rules pointing at the copied options)."""
    version = SurveyVersion.objects.create(survey=survey, number=number)
    sections = {s.pk: Section.objects.create(version=version, title=s.title, order=s.order)
                for s in source.sections.all()}
    options: dict[int, Option] = {}
    rules: list[tuple[Question, int]] = []
    for q in source.questions.prefetch_related("options"):
        copy = Question.objects.create(version=version, section=sections.get(q.section_id), order=q.order,
                                       kind=q.kind, title=q.title, help_text=q.help_text, required=q.required,
                                       shuffle=q.shuffle)
        for o in q.options.all():
            options[o.pk] = Option.objects.create(question=copy, label=o.label, order=o.order)
        if q.show_if_option_id:
            rules.append((copy, q.show_if_option_id))
    for q, old in rules:
        if old in options:
            Question.objects.filter(pk=q.pk).update(show_if_option=options[old])
    return version


def version_for_edit(*, actor: User, survey: Survey) -> SurveyVersion:
    """The version the builder changes: the draft, or for a published survey a new version copied from
    the live one (编辑新版本; the live version stays frozen and keeps its answers).
    Preconditions: gated with write=True."""
    if survey.status == SurveyStatus.CLOSED:
        raise Conflict("问卷已结束，不能再修改题目")
    if survey.draft_id:
        return survey.draft
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.draft_id:
            survey.draft = locked.draft
            return locked.draft
        number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = copy_version(survey.live, survey=survey, number=number)
        transition(survey, from_=[SurveyStatus.PUBLISHED], changes={"draft": version},
                   message="问卷已结束，不能再修改题目", audit="surveys.revise", actor=actor,
                   detail={"version": number})
    return version


def _clean_options(labels: Sequence[str]) -> list[str]:
    cleaned = [clean_line(x) for x in labels]
    cleaned = [x for x in cleaned if x]
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationFailed(f"选项不能超过{MAX_OPTIONS}个", detail={"options": f"选项不能超过{MAX_OPTIONS}个"})
    if any(len(x) > 200 for x in cleaned):
        raise ValidationFailed("每个选项不能超过200个字", detail={"options": "每个选项不能超过200个字"})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed("选项不能重复", detail={"options": "选项不能重复"})
    return cleaned


def _rule_option(version: SurveyVersion, key: Any, before_order: int | None) -> Option | None:
    if not key:
        return None
    key = parse_uuid(key)
    option = (Option.objects.select_related("question").filter(uuid=key, question__version=version).first()
              if key else None)
    if option is None and key:
        # The builder showed the live version's option; its copy in the new draft has the same place.
        source = Option.objects.select_related("question").filter(
            uuid=key, question__version__survey_id=version.survey_id).first()
        if source is not None:
            option = Option.objects.select_related("question").filter(
                question__version=version, question__order=source.question.order, order=source.order).first()
    if option is None or (before_order is not None and option.question.order >= before_order):
        message = "显示条件须是前面某道选择题的选项"
        raise ValidationFailed(message, detail={"show_if": message})
    return option


def question_save(*, actor: User, survey: Survey, question: Question | None = None, kind: str, title: str,
                  help_text: str = "", required: bool = True, shuffle: bool = False, options: Sequence[str] = (),
                  show_if: Any = None, section: Any = None) -> Question:
    """Add a question (``question`` None) to the version being edited, or change one of it.
    ``options`` are the labels (choice questions: at least two); ``show_if`` is the uuid of an option
    of an earlier question (skip logic). Preconditions: gated with write=True."""
    version = version_for_edit(actor=actor, survey=survey)
    if question is not None and question.version_id != version.pk:
        # The builder showed the live version's question; find its copy in the new draft.
        question = version.questions.filter(order=question.order).first()
    if kind not in QuestionKind.values:
        raise ValidationFailed("请选择题型", detail={"kind": "请选择题型"})
    title = clean_text(title, field="title", label="题目", max_length=300)
    help_text = clean_text(help_text, field="help_text", label="题目说明", max_length=300, required=False)
    labels = _clean_options(options) if kind in CHOICE_KINDS else []
    if kind in CHOICE_KINDS and len(labels) < 2:
        raise ValidationFailed("选择题至少需要两个选项", detail={"options": "选择题至少需要两个选项"})
    with transaction.atomic():
        if question is None:
            if version.questions.count() >= MAX_QUESTIONS:
                raise ValidationFailed(f"一份问卷最多{MAX_QUESTIONS}道题")
            sec = _section_in(version, section)
            last_in_section = version.questions.filter(section=sec).aggregate(n=Max("order"))["n"] if sec else None
            if last_in_section is not None:
                # Into its section: right after the section's last question, the later ones move down.
                order = last_in_section + 1
                version.questions.filter(order__gte=order).update(order=F("order") + 1)
            else:
                order = (version.questions.aggregate(n=Max("order"))["n"] or 0) + 1
            rule = _rule_option(version, show_if, order)
            question = Question.objects.create(version=version, order=order, kind=kind, title=title,
                                               help_text=help_text, required=required, shuffle=shuffle,
                                               show_if_option=rule, section=sec)
        else:
            rule = _rule_option(version, show_if, question.order)
            sec = _section_in(version, section)
            Question.objects.filter(pk=question.pk).update(kind=kind, title=title, help_text=help_text,
                                                           required=required, shuffle=shuffle, show_if_option=rule,
                                                           section=sec)
            if sec is not None and sec.pk != question.section_id:
                # Moved to another section: after that section's last question.
                ids = [pk for pk in version.questions.values_list("pk", flat=True) if pk != question.pk]
                in_section = set(version.questions.filter(section=sec).exclude(pk=question.pk)
                                 .values_list("pk", flat=True))
                if in_section:  # into an empty section, the question stays where it is
                    at = max(n for n, pk in enumerate(ids) if pk in in_section) + 1
                    _place(version, [*ids[:at], question.pk, *ids[at:]])
            question.refresh_from_db()
        current = list(question.options.all())
        if [o.label for o in current] != labels:
            keep = {o.label: o for o in current}
            for o in current:
                if o.label not in labels:
                    o.delete()  # rules pointing at it fall back to "always shown" (SET_NULL)
            for i, label in enumerate(labels, start=1):
                if label in keep:
                    Option.objects.filter(pk=keep[label].pk).update(order=i)
                else:
                    Option.objects.create(question=question, label=label, order=i)
        Survey.objects.filter(pk=survey.pk).update(updated_at=timezone.now())
    return question


def question_delete(*, actor: User, survey: Survey, question: Question) -> None:
    version = version_for_edit(actor=actor, survey=survey)
    target = (question if question.version_id == version.pk
              else version.questions.filter(order=question.order).first())
    if target is not None:
        target.delete()


def question_move(*, actor: User, survey: Survey, question: Question, up: bool) -> None:
    """Swap the question with its neighbour; a skip rule may only point backwards, so a move that
    would put a question before the one it depends on is refused."""
    version = version_for_edit(actor=actor, survey=survey)
    if question.version_id != version.pk:
        question = version.questions.get(order=question.order)
    questions = list(version.questions.all())
    i = next(n for n, q in enumerate(questions) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if j < 0 or j >= len(questions):
        return
    first, second = sorted([questions[i], questions[j]], key=lambda q: q.order)
    if second.show_if_option_id and Option.objects.filter(pk=second.show_if_option_id, question=first).exists():
        raise ValidationFailed("该题的显示条件依赖上一题，不能移到它前面")
    with transaction.atomic():
        a, b = questions[i], questions[j]
        Question.objects.filter(pk=a.pk).update(order=b.order)
        Question.objects.filter(pk=b.pk).update(order=a.order)


def _section_in(version: SurveyVersion, key: Any) -> Section | None:
    """The section ``key`` of ``version``, or its copy there when the key is the live version's."""
    key = parse_uuid(key) if key else None
    if key is None:
        return None
    found = version.sections.filter(uuid=key).first()
    if found is None:
        source = Section.objects.filter(uuid=key, version__survey_id=version.survey_id).first()
        found = version.sections.filter(order=source.order).first() if source is not None else None
    if found is None:
        raise ValidationFailed("未找到该分节，请刷新后重试", detail={"section": "未找到该分节"})
    return found


def section_add(*, actor: User, survey: Survey, title: str) -> Section:
    """Add a section (分节) at the end. Preconditions: gated with write=True."""
    version = version_for_edit(actor=actor, survey=survey)
    title = clean_text(title, field="section", label="分节标题", max_length=100)
    order = (version.sections.aggregate(n=Max("order"))["n"] or 0) + 1
    return Section.objects.create(version=version, title=title, order=order)


def section_rename(*, actor: User, survey: Survey, section: Section, title: str) -> Section:
    version = version_for_edit(actor=actor, survey=survey)
    target = _section_in(version, section.uuid)
    title = clean_text(title, field="section", label="分节标题", max_length=100)
    Section.objects.filter(pk=target.pk).update(title=title)
    target.title = title
    return target


def section_delete(*, actor: User, survey: Survey, section: Section) -> None:
    """Remove a section; its questions stay, outside any section."""
    version = version_for_edit(actor=actor, survey=survey)
    _section_in(version, section.uuid).delete()


def _place(version: SurveyVersion, ids: list[int]) -> None:
    """Number ``version``'s questions 1..n in the order of ``ids``, refusing an order in which a skip
    rule would point at a later question (a rule may only look back)."""
    position = {pk: n for n, pk in enumerate(ids, start=1)}
    rules = Question.objects.filter(version=version, show_if_option__isnull=False).values_list(
        "pk", "title", "show_if_option__question_id")
    for pk, title, depends_on in rules:
        if position.get(depends_on, 0) >= position.get(pk, 0):
            raise ValidationFailed(f"「{title}」的显示条件依赖的题目必须排在它前面，不能这样调整顺序")
    with transaction.atomic():
        for pk, n in position.items():
            Question.objects.filter(pk=pk).update(order=n)


def _blocks(version: SurveyVersion) -> list[tuple[int | None, list[int]]]:
    """The questions in order, as runs of the same section: [(section id, [question ids])]."""
    blocks: list[tuple[int | None, list[int]]] = []
    for pk, section_id in version.questions.values_list("pk", "section_id"):
        if blocks and blocks[-1][0] == section_id:
            blocks[-1][1].append(pk)
        else:
            blocks.append((section_id, [pk]))
    return blocks


def section_move(*, actor: User, survey: Survey, section: Section, up: bool) -> None:
    """Move the section's questions, as a block, before (``up``) or after the neighbouring block."""
    version = version_for_edit(actor=actor, survey=survey)
    target = _section_in(version, section.uuid)
    blocks = _blocks(version)
    i = next((n for n, (sid, _) in enumerate(blocks) if sid == target.pk), None)
    if i is None:
        return
    j = i - 1 if up else i + 1
    if j < 0 or j >= len(blocks):
        return
    blocks[i], blocks[j] = blocks[j], blocks[i]
    _place(version, [pk for _, ids in blocks for pk in ids])
    order = {sid: n for n, (sid, _) in enumerate(blocks, start=1) if sid is not None}
    for sid, n in order.items():
        Section.objects.filter(pk=sid).update(order=n)


def _check_publishable(version: SurveyVersion) -> None:
    questions = list(version.questions.prefetch_related("options"))
    if not questions:
        raise ValidationFailed("问卷还没有题目，请先添加题目")
    for q in questions:
        if q.kind in CHOICE_KINDS and len(q.options.all()) < 2:
            raise ValidationFailed(f"第{q.order}题「{q.title}」至少需要两个选项")


def survey_publish(*, actor: User, survey: Survey) -> Survey:
    """发布 a draft survey, or 发布新版本 of a published one: the draft version is frozen and becomes the
    live one. Preconditions: gated with write=True."""
    if survey.draft is None:
        raise Conflict("没有待发布的修改")
    version = survey.draft
    _check_publishable(version)
    now = timezone.now()
    with transaction.atomic():
        SurveyVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(published_at=now)
        if survey.status == SurveyStatus.DRAFT:
            transition(survey, to=SurveyStatus.PUBLISHED, from_=[SurveyStatus.DRAFT],
                       changes={"live": version, "draft": None, "published_at": now}, message="该问卷已发布",
                       audit="surveys.publish", actor=actor, event="surveys.published",
                       payload={"survey_id": survey.pk})
        else:
            transition(survey, from_=[SurveyStatus.PUBLISHED], guard={"draft": version},
                       changes={"live": version, "draft": None}, message="问卷状态已变化，请刷新后重试",
                       audit="surveys.publish_version", actor=actor, detail={"version": version.number})
    return survey


def survey_close(*, actor: User, survey: Survey) -> Survey:
    """结束收集. Preconditions: gated with write=True."""
    return transition(survey, to=SurveyStatus.CLOSED, from_=[SurveyStatus.PUBLISHED],
                      changes={"closed_at": timezone.now()},
                      message="只有收集中的问卷可以结束", audit="surveys.close", actor=actor,
                      event="surveys.closed", payload={"survey_id": survey.pk})


def survey_duplicate(*, actor: User, survey: Survey, union: Union | None = None) -> Survey:
    """复制问卷: a new draft with the same settings and questions (the latest version).
    Preconditions: ``survey`` is visible to ``actor`` and ``union`` (default: the survey's) writable."""
    source = survey.draft or survey.live
    with transaction.atomic():
        copy = Survey.objects.create(union=union or survey.union, title=f"{survey.title}（副本）"[:100],
                                     description=survey.description, anonymous=survey.anonymous,
                                     audience=survey.audience, employment_form=survey.employment_form,
                                     created_by=actor)
        copy.draft = copy_version(source, survey=copy, number=1)
        copy.save(update_fields=["draft"])
        audit.record("surveys.duplicate", actor=actor, obj=copy, label=copy.title, detail={"from": str(survey.uuid)})
    return copy


# --- Answering --------------------------------------------------------------------------------------------------


def shown_questions(questions: Sequence[Question], chosen: set[int]) -> list[Question]:
    """The questions shown given the chosen option ids: no rule, or the rule's option chosen on a
    question that is itself shown (rules point backwards, so one pass in order is enough)."""
    option_question = {o.pk: q.pk for q in questions for o in q.options.all()}
    shown: list[Question] = []
    shown_ids: set[int] = set()
    for q in questions:
        rule = q.show_if_option_id
        if rule is None or (rule in chosen and option_question.get(rule) in shown_ids):
            shown.append(q)
            shown_ids.add(q.pk)
    return shown


def _parse_one(q: Question, values: list[str]) -> list[dict[str, Any]]:
    """One question's raw values as Answer fields; ValidationFailed with a message for the question."""
    key = f"q_{q.uuid}"
    if q.kind in CHOICE_KINDS:
        by_key = {str(o.uuid): o for o in q.options.all()}
        picked = [by_key.get(v) for v in values]
        if any(o is None for o in picked):
            raise ValidationFailed(f"「{q.title}」的选项无效", detail={key: "选项无效，请重新选择"})
        if q.kind == QuestionKind.SINGLE and len(picked) > 1:
            raise ValidationFailed(f"「{q.title}」只能选一项", detail={key: "只能选一项"})
        return [{"option": o} for o in dict.fromkeys(picked)]
    if not values:
        return []
    if len(values) > 1:
        raise ValidationFailed(f"「{q.title}」只能填一个答案", detail={key: "只能填一个答案"})
    raw = values[0]
    if q.kind in TEXT_KINDS:
        text = clean_block(raw) if q.kind == QuestionKind.LONG_TEXT else clean_line(raw)
        if len(text) > TEXT_LIMITS[q.kind]:
            raise ValidationFailed(f"「{q.title}」不能超过{TEXT_LIMITS[q.kind]}个字",
                                   detail={key: f"不能超过{TEXT_LIMITS[q.kind]}个字"})
        return [{"text": text}] if text else []
    raw = clean_line(raw)
    if not raw:
        return []
    if q.kind == QuestionKind.DATE:
        try:
            return [{"day": dt.date.fromisoformat(raw)}]
        except ValueError:
            raise ValidationFailed(f"「{q.title}」请填写正确的日期", detail={key: "请填写正确的日期"}) from None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"「{q.title}」请填写数字", detail={key: "请填写数字"}) from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValidationFailed(f"「{q.title}」的数字超出范围", detail={key: "数字超出范围"})
    if q.kind in SCALE_RANGES:
        low, high = SCALE_RANGES[q.kind]
        if number != number.to_integral_value() or not low <= number <= high:
            text = f"请在{low}到{high}分之间选择"
            raise ValidationFailed(f"「{q.title}」{text}", detail={key: text})
    return [{"number": number.quantize(Decimal("0.01"))}]


def _values(answers: Answers, q: Question) -> list[str]:
    raw = answers.get(str(q.uuid))
    if raw is None:
        return []
    if isinstance(raw, str | int | float):
        raw = [str(raw)]
    if not isinstance(raw, list | tuple):
        raise ValidationFailed(f"「{q.title}」的答案格式不正确", detail={f"q_{q.uuid}": "答案格式不正确"})
    return [str(v) for v in raw if str(v).strip()][:MAX_OPTIONS + 1]


def parse_answers(version: SurveyVersion, answers: Answers, *,
                  check_required: bool = True) -> list[tuple[Question, list[dict[str, Any]]]]:
    """Validate ``answers`` against ``version``: hidden questions' answers dropped, required checked
    only for shown questions. All problems at once in ``detail``."""
    questions = list(version.questions.prefetch_related("options"))
    parsed: dict[int, list[dict[str, Any]]] = {}
    errors: dict[str, str] = {}
    first = ""
    for q in questions:
        try:
            parsed[q.pk] = _parse_one(q, _values(answers, q))
        except ValidationFailed as exc:
            errors.update(exc.detail or {})
            first = first or exc.message
            parsed[q.pk] = []
    chosen = {a["option"].pk for rows in parsed.values() for a in rows if "option" in a}
    shown = shown_questions(questions, chosen)
    shown_ids = {q.pk for q in shown}
    for q in questions:
        if q.pk not in shown_ids:
            errors.pop(f"q_{q.uuid}", None)
    if check_required:
        for q in shown:
            if q.required and not parsed[q.pk] and f"q_{q.uuid}" not in errors:
                errors[f"q_{q.uuid}"] = "此题必答"
                first = first or f"请回答第{q.order}题「{q.title}」"
    if errors:
        message = first if first and len(errors) == 1 else f"有{len(errors)}道题需要修改：{first or '请检查'}"
        raise ValidationFailed(message, detail=errors)
    return [(q, parsed[q.pk]) for q in shown]


def draft_save(*, member: Member, survey: Survey, answers: Answers) -> Draft:
    """暂存: keep the member's answers so far (unchecked, only cleaned to strings; bounded in size)."""
    version = survey.live
    if survey.status != SurveyStatus.PUBLISHED or version is None:
        raise Conflict("问卷已结束，不能再填写")
    keys = {str(u) for u in version.questions.values_list("uuid", flat=True)}
    data: dict[str, list[str]] = {}
    for key, raw in answers.items():
        if key not in keys:
            continue
        values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
        data[key] = [clean_block(str(v))[:2000] for v in values[:MAX_OPTIONS]]
    defaults = {"version": version, "data": data, "updated_at": timezone.now()}
    draft, _ = Draft.objects.update_or_create(survey=survey, member=member, defaults=defaults)
    return draft


def device_hash(device_token: str, survey: Survey) -> str:
    """What is kept of a public respondent's device token: an HMAC per survey (the token itself is
    never stored, and equal tokens do not link answers across surveys)."""
    from gonghui.lib.crypto import blind_index

    return blind_index("survey-device", f"{survey.uuid}:{device_token}")


def response_submit(*, survey: Survey, answers: Answers, member: Member | None = None, collector: User | None = None,
                    device_hash: str = "") -> Response:
    """提交答卷. The caller chose the channel by what it passes: ``member`` (a member survey, checked
    against its audience by the access gate), ``collector`` (staff-collected), or neither (the public
    link, with ``device_hash``). Anonymous surveys keep no member link on the response."""
    version = survey.live
    if survey.status != SurveyStatus.PUBLISHED or version is None:
        raise Conflict("问卷已结束，不能再填写")
    rows = parse_answers(version, answers)
    if member is not None:
        channel = Channel.MEMBER
    elif collector is not None:
        channel = Channel.STAFF
    else:
        channel = Channel.PUBLIC
    with transaction.atomic():
        if member is not None:
            try:
                with transaction.atomic():
                    Participation.objects.create(survey=survey, member=member)
            except IntegrityError:
                raise Conflict("您已经提交过这份问卷") from None
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey, version=version, anonymous=survey.anonymous, channel=channel,
                    member=None if survey.anonymous else member, collector=collector,
                    union=member.union if member is not None else None,
                    gender=member.gender if member is not None else "",
                    employment_form=member.employment_form if member is not None else "",
                    age_band=age_band(member.age_on(timezone.localdate())) if member is not None else "",
                    device_hash=device_hash)
        except IntegrityError:
            raise Conflict("这台设备已经提交过这份问卷，感谢参与") from None
        Answer.objects.bulk_create([Answer(response=response, question=q, **fields)
                                    for q, answer_rows in rows for fields in answer_rows])
        Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
        if member is not None:
            Draft.objects.filter(survey=survey, member=member).delete()
    return response
