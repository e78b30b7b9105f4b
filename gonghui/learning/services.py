"""职课堂 services: courses and their trial review, lessons, the question bank, enrolment and progress,
exam attempts, certificates. Every status change is a ``core.transitions.transition``; services take
the acting user, never the request. Preconditions (the gate) are in each docstring.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.photos import photo_replace
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.lib import excel, images
from gonghui.lib.text import book_title
from gonghui.members.models import Member
from gonghui.unions.models import Union

from .models import (
    DEADLINE_GRACE,
    LESSON_EXTENSIONS,
    TRUE_FALSE_OPTIONS,
    WATCHED_SHARE,
    Attempt,
    AttemptStatus,
    Certificate,
    CertificateCounter,
    CertificateStatus,
    Course,
    CourseEvent,
    CourseKind,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonKind,
    LessonProgress,
    Question,
    QuestionKind,
)

if TYPE_CHECKING:
    from gonghui.accounts.models import User

CERTIFICATE_PREFIX = "ZKT"
MAX_LESSON_BYTES = 200 * 1024 * 1024
# What a lesson file may be, told by its first bytes (never by the name or the browser's word).
VIDEO_TYPES = ("video/mp4", "video/webm")
DOCUMENT_TYPES = ("application/pdf",)


def _history(course: Course, action: str, actor: Any, note: str = "") -> Any:
    return lambda before: CourseEvent.objects.create(course=course, from_status=before or "", to_status=course.status,
                                                     action=action, actor=actor, note=note[:300])


# --- Courses ------------------------------------------------------------------------------------------------------

COURSE_FIELDS = ("title", "summary", "kind", "hours", "exam_questions", "exam_minutes", "pass_mark", "attempt_limit")


def _course_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "title" in data:
        values["title"] = clean_text(data["title"], field="title", label="课程名称", max_length=100)
    if "summary" in data:
        values["summary"] = clean_text(data["summary"], field="summary", label="课程简介", max_length=2000,
                                       required=False, multiline=True)
    if "kind" in data:
        if data["kind"] not in CourseKind.values:
            raise ValidationFailed("请选择课程形式", detail={"kind": "课程形式无效"})
        values["kind"] = data["kind"]
    if "hours" in data:
        try:
            hours = Decimal(str(data["hours"])).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            raise ValidationFailed("学时须为数字", detail={"hours": "学时须为数字"}) from None
        if not Decimal("0.5") <= hours <= Decimal("999"):
            raise ValidationFailed("学时须在0.5到999之间", detail={"hours": "学时须在0.5到999之间"})
        values["hours"] = hours
    limits = {"exam_questions": ("每次抽题数", 1, 200), "exam_minutes": ("考试时长", 1, 600),
              "pass_mark": ("合格分数", 1, 100), "attempt_limit": ("考试次数上限", 0, 99)}
    for name, (label, low, high) in limits.items():
        if name in data:
            try:
                number = int(data[name])
            except (TypeError, ValueError):
                raise ValidationFailed(f"{label}须为整数", detail={name: f"{label}须为整数"}) from None
            if not low <= number <= high:
                raise ValidationFailed(f"{label}须在{low}到{high}之间", detail={name: f"须在{low}到{high}之间"})
            values[name] = number
    return values


def course_create(*, actor: User, union: Union, photo: images.Processed | None = None, **data: Any) -> Course:
    """开课 at ``union``. Preconditions: ``union`` is one the actor may write to (the form's or the API's
    choices come from ``Union.objects.writable_by``)."""
    values = _course_values(data)
    if "title" not in values:
        raise ValidationFailed("请填写课程名称", detail={"title": "请填写课程名称"})
    with transaction.atomic():
        course = Course.objects.create(union=union, created_by=actor, **values)
        if photo is not None:
            photo_replace(course, "photo", photo)
        CourseEvent.objects.create(course=course, to_status=course.status, action="create", actor=actor)
        audit.record("learning.course.create", actor=actor, obj=course, union=union, label=course.title)
    return course


def course_update(*, actor: User, course: Course, photo: images.Processed | None = None, photo_remove: bool = False,
                  **data: Any) -> Course:
    """编辑课程 (not once it is retired). Preconditions: gated with write=True."""
    values = _course_values(data)
    with transaction.atomic():
        transition(course, changes=values, from_=[CourseStatus.DRAFT, CourseStatus.TRIAL, CourseStatus.PUBLISHED],
                   message="已下架的课程不能编辑", audit="learning.course.update", actor=actor, union=course.union,
                   detail={"fields": sorted(values)})
        if photo is not None or photo_remove:
            photo_replace(course, "photo", photo, remove=photo_remove)
    return course


def course_problems(course: Course) -> list[str]:
    """What keeps a course from going to its trial review or being published, in Chinese."""
    problems = []
    if not course.lessons.exists():
        problems.append("课程还没有课时")
    bank = course.questions.filter(active=True).count()
    if bank < course.exam_questions:
        problems.append(f"题库中启用的试题（{bank}道）少于每次抽题数（{course.exam_questions}道）")
    return problems


def course_submit(*, actor: User, course: Course) -> Course:
    """提交试讲审核: draft → trial. Preconditions: gated with write=True."""
    problems = course_problems(course)
    if problems:
        raise ValidationFailed("；".join(problems))
    return transition(course, to=CourseStatus.TRIAL, from_=[CourseStatus.DRAFT], message="只有草稿课程可以提交试讲审核",
                      changes={"submitted_at": timezone.now(), "trial_passed_at": None, "trial_note": ""},
                      history=_history(course, "submit", actor), audit="learning.course.submit", actor=actor,
                      union=course.union)


def course_approve(*, actor: User, course: Course, note: str = "") -> Course:
    """试讲通过: the review is recorded on the course, which stays in trial until it is published.
    Preconditions: gated with write=True."""
    note = clean_text(note, field="note", label="评审意见", max_length=300, required=False)
    return transition(course, from_=[CourseStatus.TRIAL], guard={"trial_passed_at__isnull": True},
                      changes={"trial_passed_at": timezone.now(), "trial_note": note},
                      message="该课程不在试讲审核中，或已审核通过", history=_history(course, "approve", actor, note),
                      audit="learning.course.approve", actor=actor, union=course.union)


def course_reject(*, actor: User, course: Course, note: str) -> Course:
    """试讲未通过: trial → draft with the reviewers' note. Preconditions: gated with write=True."""
    note = clean_text(note, field="note", label="评审意见", max_length=300)
    return transition(course, to=CourseStatus.DRAFT, from_=[CourseStatus.TRIAL], message="该课程不在试讲审核中",
                      changes={"trial_passed_at": None, "trial_note": note},
                      history=_history(course, "reject", actor, note), audit="learning.course.reject", actor=actor,
                      union=course.union)


def course_publish(*, actor: User, course: Course) -> Course:
    """发布: trial (reviewed) → published, or a retired course offered again. Preconditions: gated with
    write=True."""
    problems = course_problems(course)
    if problems:
        raise ValidationFailed("；".join(problems))
    if course.status == CourseStatus.TRIAL and course.trial_passed_at is None:
        raise Conflict("试讲审核通过后才能发布")
    return transition(course, to=CourseStatus.PUBLISHED, from_=[CourseStatus.TRIAL, CourseStatus.RETIRED],
                      guard={"trial_passed_at__isnull": False}, changes={"published_at": timezone.now()},
                      message="课程须试讲审核通过后才能发布", history=_history(course, "publish", actor),
                      audit="learning.course.publish", actor=actor, union=course.union,
                      event="learning.course_published", payload={"course_id": course.pk})


def course_retire(*, actor: User, course: Course) -> Course:
    """下架: published → retired (enrolled workers keep their records and certificates). Preconditions: gated
    with write=True."""
    return transition(course, to=CourseStatus.RETIRED, from_=[CourseStatus.PUBLISHED],
                      message="只有已发布的课程可以下架",
                      changes={"retired_at": timezone.now()}, history=_history(course, "retire", actor),
                      audit="learning.course.retire", actor=actor, union=course.union)


# --- Lessons ------------------------------------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """The content type of a lesson file from its first bytes, "" when it is none we serve."""
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head[:5] == b"%PDF-":
        return "application/pdf"
    return ""


def _lesson_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "title" in data:
        values["title"] = clean_text(data["title"], field="title", label="课时名称", max_length=100)
    if "kind" in data:
        if data["kind"] not in LessonKind.values:
            raise ValidationFailed("请选择课时类型", detail={"kind": "课时类型无效"})
        values["kind"] = data["kind"]
    if "body" in data:
        values["body"] = clean_text(data["body"], field="body", label="正文", max_length=20000, required=False,
                                    multiline=True)
    if "duration" in data and data["duration"] not in (None, ""):
        try:
            duration = int(data["duration"])
        except (TypeError, ValueError):
            raise ValidationFailed("时长须为整数秒", detail={"duration": "时长须为整数秒"}) from None
        if not 0 <= duration <= 24 * 3600:
            raise ValidationFailed("时长须在0到86400秒之间", detail={"duration": "时长无效"})
        values["duration"] = duration
    if "position" in data and data["position"] not in (None, ""):
        try:
            values["position"] = max(1, min(int(data["position"]), 999))
        except (TypeError, ValueError):
            raise ValidationFailed("序号须为整数", detail={"position": "序号须为整数"}) from None
    return values


def _attach(lesson: Lesson, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    if upload.size > MAX_LESSON_BYTES:
        raise ValidationFailed("文件不能超过200MB", detail={"file": "文件过大"})
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    wanted = VIDEO_TYPES if lesson.kind == LessonKind.VIDEO else DOCUMENT_TYPES
    if content_type not in wanted:
        message = "视频课时请上传MP4或WebM视频" if lesson.kind == LessonKind.VIDEO else "文档课时请上传PDF文件"
        raise ValidationFailed(message, detail={"file": message})
    if lesson.file:
        old = lesson.file.name
        transaction.on_commit(lambda: lesson.file.storage.delete(old))
    lesson.content_type = content_type
    lesson.size = upload.size
    lesson.file.save(f"{lesson.uuid}{LESSON_EXTENSIONS[content_type]}", upload, save=False)


def _check_lesson(lesson: Lesson) -> None:
    if lesson.kind == LessonKind.TEXT and not lesson.body:
        raise ValidationFailed("图文课时请填写正文", detail={"body": "请填写正文"})
    if lesson.kind in (LessonKind.VIDEO, LessonKind.DOCUMENT) and not lesson.file:
        raise ValidationFailed("请上传课时文件", detail={"file": "请上传文件"})


def lesson_add(*, actor: User, course: Course, file: UploadedFile | None = None, **data: Any) -> Lesson:
    """添加课时 (at the end unless a position is given). Preconditions: course gated with write=True."""
    if course.status == CourseStatus.RETIRED:
        raise Conflict("已下架的课程不能添加课时")
    values = _lesson_values(data)
    if "title" not in values:
        raise ValidationFailed("请填写课时名称", detail={"title": "请填写课时名称"})
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()  # positions are handed out one at a time
        if "position" not in values:
            values["position"] = (course.lessons.aggregate(n=Max("position"))["n"] or 0) + 1
        lesson = Lesson(course=course, **values)
        _attach(lesson, file)
        _check_lesson(lesson)
        lesson.save()
        audit.record("learning.lesson.add", actor=actor, obj=lesson, union=course.union, label=lesson.title)
    return lesson


def lesson_update(*, actor: User, lesson: Lesson, file: UploadedFile | None = None, **data: Any) -> Lesson:
    """编辑课时. Preconditions: lesson gated with write=True."""
    values = _lesson_values(data)
    with transaction.atomic():
        for name, value in values.items():
            setattr(lesson, name, value)
        _attach(lesson, file)
        _check_lesson(lesson)
        lesson.save()
        audit.record("learning.lesson.update", actor=actor, obj=lesson, union=lesson.course.union,
                     label=lesson.title, detail={"fields": sorted(values) + (["file"] if file else [])})
    return lesson


def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    """删除课时: only while nobody has started it (progress would point nowhere). Preconditions: gated
    with write=True."""
    if lesson.progress.exists():
        raise Conflict("已有职工学习过该课时，不能删除")
    with transaction.atomic():
        audit.record("learning.lesson.delete", actor=actor, obj=lesson, union=lesson.course.union, label=lesson.title)
        name = lesson.file.name if lesson.file else ""
        storage = lesson.file.storage
        lesson.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- The question bank --------------------------------------------------------------------------------------------


def _question_values(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        raise ValidationFailed("请选择题型", detail={"kind": "题型无效"})
    text = clean_text(data.get("text"), field="text", label="题干", max_length=1000, multiline=True)
    explanation = clean_text(data.get("explanation"), field="explanation", label="解析", max_length=300,
                             required=False)
    raw_answer = data.get("answer")
    if kind == QuestionKind.FILL:
        answers = raw_answer if isinstance(raw_answer, list) else str(raw_answer or "").replace("｜", "|").split("|")
        accepted = [clean_text(str(a), field="answer", label="答案", max_length=100, required=False) for a in answers]
        accepted = [a for a in accepted if a]
        if not accepted:
            raise ValidationFailed("请填写填空题的答案（多个可接受的答案用 | 分隔）", detail={"answer": "请填写答案"})
        return {"kind": kind, "text": text, "options": [], "answer": accepted, "explanation": explanation}
    if kind == QuestionKind.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
    else:
        raw = data.get("options") or []
        if isinstance(raw, str):
            raw = raw.splitlines()
        options = [clean_text(str(o), field="options", label="选项", max_length=200, required=False) for o in raw]
        options = [o for o in options if o]
        if not 2 <= len(options) <= 8:
            raise ValidationFailed("选择题须有2到8个选项（每行一个）", detail={"options": "须有2到8个选项"})
    answer = parse_choice(raw_answer, len(options))
    if answer is None:
        raise ValidationFailed("答案须是选项的字母，如 A 或 AC", detail={"answer": "答案无效"})
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(answer) != 1:
        raise ValidationFailed("单选题和判断题只有一个正确答案", detail={"answer": "只能有一个答案"})
    if kind == QuestionKind.MULTIPLE and len(answer) < 2:
        raise ValidationFailed("多选题至少有两个正确答案", detail={"answer": "至少两个答案"})
    return {"kind": kind, "text": text, "options": options, "answer": answer, "explanation": explanation}


def parse_choice(value: Any, count: int) -> list[int] | None:
    """Option indexes from letters ("AC"), a list of letters or indexes, or 判断题's 正确/错误/对/错; None when
    any is out of range."""
    if isinstance(value, list):
        items: list[Any] = value
    else:
        text = str(value or "").strip().upper().replace(",", "").replace("，", "").replace(" ", "")
        if text in ("正确", "对", "√", "T", "TRUE"):
            return [0] if count == 2 else None
        if text in ("错误", "错", "×", "F", "FALSE"):
            return [1] if count == 2 else None
        items = list(text)
    picked = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            index = item
        elif isinstance(item, str) and len(item.strip()) == 1 and "A" <= item.strip().upper() <= "Z":
            index = ord(item.strip().upper()) - 65
        else:
            return None
        if not 0 <= index < count:
            return None
        picked.add(index)
    return sorted(picked) or None


def question_add(*, actor: User, course: Course, **data: Any) -> Question:
    """添加试题. Preconditions: course gated with write=True."""
    question = Question.objects.create(course=course, **_question_values(data))
    audit.record("learning.question.add", actor=actor, obj=question, union=course.union)
    return question


def question_update(*, actor: User, question: Question, **data: Any) -> Question:
    """编辑试题 (attempts already drawn keep the version they froze). Preconditions: gated with write=True."""
    values = _question_values(data)
    if "active" in data:
        values["active"] = bool(data["active"])
    for name, value in values.items():
        setattr(question, name, value)
    question.updated_at = timezone.now()
    with transaction.atomic():
        question.save()
        audit.record("learning.question.update", actor=actor, obj=question, union=question.course.union)
    return question


def question_delete(*, actor: User, question: Question) -> None:
    """删除试题. Preconditions: gated with write=True."""
    with transaction.atomic():
        audit.record("learning.question.delete", actor=actor, obj=question, union=question.course.union,
                     label=question.text[:50])
        question.delete()


IMPORT_COLUMNS = {"题型": "kind", "题干": "text", "选项": "options", "答案": "answer", "解析": "explanation"}
KIND_WORDS = {"单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE, "多选": QuestionKind.MULTIPLE,
              "多选题": QuestionKind.MULTIPLE, "判断": QuestionKind.TRUE_FALSE, "判断题": QuestionKind.TRUE_FALSE,
              "填空": QuestionKind.FILL, "填空题": QuestionKind.FILL}


def question_rows(upload: Any) -> list[dict[str, Any]]:
    """The rows of a question workbook (.xlsx/.xls/CSV through ``lib.excel``) as dicts by field name;
    WorkbookError (Chinese) when it cannot be read or has no 题型/题干 header."""
    table = excel.open_table(upload, accept=lambda cells: {"题型", "题干"} <= {excel.cell_text(c) for c in cells})
    columns = {i: IMPORT_COLUMNS[name] for i, name in enumerate(table.header) if name in IMPORT_COLUMNS}
    rows = []
    for _, cells in table.rows():
        row = {field: excel.cell_text(cells[i]) if i < len(cells) else "" for i, field in columns.items()}
        if any(row.values()):
            rows.append(row)
    return rows[:2000]


def questions_import(*, actor: User, course: Course, rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """导入试题 from the rows of a workbook (题型, 题干, 选项 separated by | or new lines, 答案, 解析): all
    or nothing — any bad row stops the import and is reported with its line. Preconditions: course gated
    with write=True. Returns (count, problems)."""
    made: list[Question] = []
    problems: list[str] = []
    for line, row in enumerate(rows, start=2):
        kind = KIND_WORDS.get(str(row.get("kind") or "").strip())
        options = str(row.get("options") or "").replace("｜", "|").replace("\n", "|").split("|")
        try:
            if kind is None:
                raise ValidationFailed("题型须为单选、多选、判断或填空")
            values = _question_values({**row, "kind": kind, "options": options})
        except ValidationFailed as exc:
            problems.append(f"第{line}行：{exc.message}")
            continue
        made.append(Question(course=course, **values))
    if problems or not made:
        return 0, problems or ["表格中没有试题"]
    with transaction.atomic():
        Question.objects.bulk_create(made)
        audit.record("learning.question.import", actor=actor, obj=course, union=course.union,
                     detail={"count": len(made)})
    return len(made), []


# --- Enrolment and progress ---------------------------------------------------------------------------------------


def enroll(*, actor: User, member: Member, course: Course) -> Enrollment:
    """选课. Preconditions: ``course`` came from the member's gate (``member_course``). Enrolling twice
    returns the first enrolment (a unique constraint: two taps make one)."""
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict("该课程未发布或已下架，不能报名")
    existing = Enrollment.objects.filter(course=course, member=member).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(course=course, member=member)
            audit.record("learning.enroll", actor=actor, obj=enrollment, union=course.union, label=course.title)
    except IntegrityError:
        return Enrollment.objects.get(course=course, member=member)
    return enrollment


def _lessons_done(enrollment: Enrollment) -> bool:
    total = enrollment.course.lessons.count()
    done = enrollment.progress.filter(done=True).count()
    return total > 0 and done >= total


def progress_save(*, actor: User, enrollment: Enrollment, lesson: Lesson, position: int, done: bool = False
                  ) -> LessonProgress:
    """记住学习进度: the player's position (seconds) for a lesson; a video is done at 90% of its length, a
    document or text lesson when the worker marks it read. Done stays done. Preconditions: the
    enrolment is the member's own and ``lesson`` belongs to its course."""
    if lesson.course_id != enrollment.course_id:
        raise ValidationFailed("该课时不属于这门课程")
    try:
        position = max(0, min(int(position), 24 * 3600))
    except (TypeError, ValueError):
        raise ValidationFailed("播放位置无效", detail={"position": "须为整数秒"}) from None
    if lesson.kind == LessonKind.VIDEO and lesson.duration and position >= lesson.duration * WATCHED_SHARE:
        done = True
    now = timezone.now()
    with transaction.atomic():
        row, _ = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
        changes: dict[str, Any] = {"position": position, "updated_at": now}
        if done and not row.done:
            changes.update(done=True, done_at=now)
        LessonProgress.objects.filter(pk=row.pk).update(**changes)
        for name, value in changes.items():
            setattr(row, name, value)
        # Also after a pass: a lesson added to the course later holds the certificate back until it is done.
        if "done" in changes and _lessons_done(enrollment):
            Enrollment.objects.filter(pk=enrollment.pk, lessons_done_at__isnull=True).update(lessons_done_at=now)
            enrollment.lessons_done_at = enrollment.lessons_done_at or now
            certificate_issue_if_complete(enrollment=enrollment)
    return row


# --- Exams --------------------------------------------------------------------------------------------------------


def attempt_start(*, actor: User, enrollment: Enrollment) -> Attempt:
    """开始考试 (or go back to the attempt still open: a dropped connection resumes). Draws the course's
    number of questions at random from its active bank and freezes them on the attempt. Preconditions:
    the enrolment is the member's own."""
    course = enrollment.course
    open_one = enrollment.attempts.filter(status=AttemptStatus.OPEN).first()
    if open_one is not None:
        if not open_one.expired():
            return open_one
        attempt_submit(actor=actor, attempt=open_one, auto=True)
        enrollment.refresh_from_db()
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict("该课程已下架，不能参加考试")
    if enrollment.passed_at is not None:
        raise Conflict("您已通过本课程考试")
    if not _lessons_done(enrollment):
        raise Conflict("请先学完全部课时，再参加考试")
    used = enrollment.attempts.count()
    if course.attempt_limit and used >= course.attempt_limit:
        raise Conflict(f"本课程考试最多{course.attempt_limit}次，您的次数已用完")
    bank = list(course.questions.filter(active=True))
    if not bank:
        raise Conflict("本课程暂无试题，请联系开课工会")
    drawn = random.SystemRandom().sample(bank, min(course.exam_questions, len(bank)))
    now = timezone.now()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                enrollment=enrollment, number=used + 1, questions=[q.snapshot() for q in drawn],
                started_at=now, deadline=now + timedelta(minutes=course.exam_minutes))
    except IntegrityError:  # a second tap started one at the same moment (one open attempt, unique numbers)
        found = enrollment.attempts.filter(status=AttemptStatus.OPEN).first()
        if found is None:
            raise Conflict("考试已开始或已交卷，请刷新后重试") from None
        return found
    return attempt


def _clean_answers(attempt: Attempt, answers: Mapping[str, Any]) -> dict[str, list[Any]]:
    by_id = {q["id"]: q for q in attempt.questions}
    clean: dict[str, list[Any]] = {}
    for key, value in answers.items():
        question = by_id.get(str(key))
        if question is None:
            continue
        if question["kind"] == QuestionKind.FILL:
            text = value[0] if isinstance(value, list) and value else value
            clean[question["id"]] = [clean_text(str(text or ""), field="answer", label="答案", max_length=200,
                                                required=False)]
        else:
            values = value if isinstance(value, list) else [value]
            picked = sorted({int(v) for v in values if str(v).lstrip("-").isdigit()
                             and 0 <= int(v) < len(question["options"])})
            if question["kind"] != QuestionKind.MULTIPLE:
                picked = picked[:1]
            clean[question["id"]] = picked
    return clean


def attempt_answer(*, actor: User, attempt: Attempt, answers: Mapping[str, Any]) -> Attempt:
    """暂存答案 as the worker answers (merged into what was saved). Refused once the attempt is handed in
    or its time is up (the server's clock decides). Preconditions: the attempt is the member's own."""
    merged = {**attempt.answers, **_clean_answers(attempt, answers)}
    cutoff = timezone.now() - DEADLINE_GRACE
    return transition(attempt, changes={"answers": merged, "saved_at": timezone.now()}, from_=[AttemptStatus.OPEN],
                      guard={"deadline__gte": cutoff}, message="考试已结束（已交卷或时间已到），答案未保存",
                      code="attempt_closed")


def grade(questions: list[dict[str, Any]], answers: Mapping[str, Any]) -> int:
    """How many answers are right: a choice when it is exactly the right set; a fill-in when it matches an
    accepted text (ignoring spaces and full-width forms)."""
    import unicodedata

    def norm(text: Any) -> str:
        return unicodedata.normalize("NFKC", str(text)).replace(" ", "").lower()

    right = 0
    for question in questions:
        given = answers.get(question["id"]) or []
        if question["kind"] == QuestionKind.FILL:
            if given and norm(given[0]) and norm(given[0]) in {norm(a) for a in question["answer"]}:
                right += 1
        elif sorted(given) == sorted(question["answer"]):
            right += 1
    return right


def attempt_submit(*, actor: User | None, attempt: Attempt, answers: Mapping[str, Any] | None = None,
                   auto: bool = False) -> Attempt:
    """交卷: graded on the server from the saved answers (plus ``answers`` sent with the submit while time
    remains). A double submit records one result: the guarded UPDATE lets one through; the other gets
    the recorded result back. Past the deadline the saved answers are what counts (超时自动交卷).
    Preconditions: the attempt is the member's own (or a sweep's)."""
    saved = dict(attempt.answers)
    late = attempt.expired()
    if answers and not late:
        saved.update(_clean_answers(attempt, answers))
    right = grade(attempt.questions, saved)
    score = round(100 * right / attempt.total) if attempt.total else 0
    course = attempt.enrollment.course
    passed = score >= course.pass_mark
    now = timezone.now()
    try:
        with transaction.atomic():
            transition(attempt, to=AttemptStatus.SUBMITTED, from_=[AttemptStatus.OPEN],
                       changes={"answers": saved, "submitted_at": now, "correct": right, "score": score,
                                "passed": passed, "auto_submitted": auto or late},
                       message="试卷已提交", code="attempt_submitted", audit="learning.attempt.submit", actor=actor,
                       union=course.union, detail={"score": score, "passed": passed},
                       event="learning.attempt_submitted", payload={"attempt_id": attempt.pk})
            if passed:
                enrollment = attempt.enrollment
                Enrollment.objects.filter(pk=enrollment.pk, passed_at__isnull=True).update(passed_at=now)
                enrollment.passed_at = enrollment.passed_at or now
                certificate_issue_if_complete(enrollment=enrollment)
    except Conflict:
        attempt.refresh_from_db()
        if attempt.status == AttemptStatus.SUBMITTED:
            return attempt  # the other submit won: its result is the one recorded
        raise
    return attempt


# --- Certificates -------------------------------------------------------------------------------------------------


def next_certificate_number(year: int) -> str:
    """ZKT-<year>-<six digits>, consecutive within the year, behind a row lock (inside the caller's transaction)."""
    CertificateCounter.objects.get_or_create(year=year)
    CertificateCounter.objects.filter(year=year).update(last=F("last") + 1)  # the UPDATE takes the row lock
    last = CertificateCounter.objects.get(year=year).last
    return f"{CERTIFICATE_PREFIX}-{year}-{last:06d}"


def certificate_issue_if_complete(*, enrollment: Enrollment) -> Certificate | None:
    """发证 when the enrolment is complete (all lessons done and the exam passed); once per enrolment (a
    OneToOne), so calling it again returns the certificate already issued."""
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    enrollment.refresh_from_db(fields=["lessons_done_at", "passed_at"])
    if enrollment.passed_at is None or not _lessons_done(enrollment):
        return None
    best = enrollment.attempts.filter(passed=True).order_by("-score").first()
    course = enrollment.course
    now = timezone.now()
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                enrollment=enrollment, number=next_certificate_number(timezone.localdate(now).year),
                course_title=course.title, hours=course.hours, score=best.score if best else 0, issued_at=now)
            audit.record("learning.certificate.issue", actor=None, obj=certificate, union=course.union,
                         label=certificate.number)
            member = enrollment.member
            if member.user_id:
                notify(member.user, f"恭喜您获得{book_title(course.title)}结业证书",
                       f"证书编号 {certificate.number}，可在“我的证书”中下载。",
                       url=reverse("learning:certificates"))
    except IntegrityError:
        return Certificate.objects.filter(enrollment=enrollment).first()
    return certificate


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """撤销证书 with a reason (audited); the verify page then says it is revoked. Preconditions: gated with
    write=True."""
    reason = clean_text(reason, field="reason", label="撤销原因", max_length=300)
    course = certificate.enrollment.course
    return transition(certificate, to=CertificateStatus.REVOKED, from_=[CertificateStatus.VALID],
                      changes={"revoked_at": timezone.now(), "revoke_reason": reason, "revoked_by": actor},
                      message="该证书已撤销", audit="learning.certificate.revoke", actor=actor, union=course.union,
                      detail={"number": certificate.number, "reason": reason}, label=certificate.number)
