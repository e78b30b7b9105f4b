"""Read queries of 职课堂 that are more than a one-line QuerySet method."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.members.models import Member

from .models import (
    Attempt,
    AttemptStatus,
    Certificate,
    CertificateStatus,
    Course,
    CourseKind,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonProgress,
)

# --- Workers ------------------------------------------------------------------------------------------------------


def catalogue(member: Member, *, q: str = "", kind: str = "") -> QuerySet[Course]:
    """The published courses offered to the member, newest first, with their lesson counts."""
    qs = Course.objects.for_member(member).select_related("union").annotate(lesson_count=Count("lessons"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if kind in CourseKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")


def enrolled_course_ids(member: Member, courses: Any) -> set[int]:
    ids = [c.pk for c in courses]
    return set(Enrollment.objects.filter(member=member, course_id__in=ids).values_list("course_id", flat=True))


def lessons_with_progress(course: Course, enrollment: Enrollment | None) -> list[Lesson]:
    """The course's lessons in order, each with ``progress`` (the member's row or None)."""
    lessons = list(course.lessons.all())
    rows = ({p.lesson_id: p for p in LessonProgress.objects.filter(enrollment=enrollment)}
            if enrollment is not None else {})
    for lesson in lessons:
        lesson.my_progress = rows.get(lesson.pk)
    return lessons


def progress_of(enrollment: Enrollment, lesson: Lesson) -> LessonProgress | None:
    return LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()


def attempts_left(enrollment: Enrollment) -> int | None:
    """Attempts the member may still start (None: no limit)."""
    limit = enrollment.course.attempt_limit
    if not limit:
        return None
    return max(limit - enrollment.attempts.count(), 0)


def exam_state(enrollment: Enrollment, lessons: list[Lesson]) -> dict[str, Any]:
    """What the course page says about the exam: lessons done, the open attempt, attempts left, the
    best result and the certificate."""
    done = sum(1 for lesson in lessons if lesson.my_progress is not None and lesson.my_progress.done)
    attempts = list(enrollment.attempts.order_by("-number"))
    return {
        "lessons_done": done, "lessons_total": len(lessons), "all_done": bool(lessons) and done >= len(lessons),
        "open_attempt": next((a for a in attempts if a.status == AttemptStatus.OPEN), None),
        "attempts": [a for a in attempts if a.status == AttemptStatus.SUBMITTED],
        "attempts_left": attempts_left(enrollment),
        "certificate": Certificate.objects.filter(enrollment=enrollment).first(),
    }


def my_courses(member: Member) -> list[Enrollment]:
    """The member's enrolments with ``lessons_total``, ``lessons_done`` and ``percent`` (two queries)."""
    rows = list(Enrollment.objects.filter(member=member).select_related("course__union")
                .annotate(lessons_total=Count("course__lessons", distinct=True),
                          lessons_done=Count("progress", filter=Q(progress__done=True), distinct=True))
                .order_by("-created_at"))
    certified = set(Certificate.objects.filter(enrollment__in=rows).values_list("enrollment_id", flat=True))
    for row in rows:
        row.percent = round(100 * row.lessons_done / row.lessons_total) if row.lessons_total else 0
        row.certified = row.pk in certified
    return rows


def hours_earned(member: Member) -> Decimal:
    """学时 of the member's valid certificates."""
    total = (Certificate.objects.filter(enrollment__member=member, status=CertificateStatus.VALID)
             .aggregate(h=Sum("hours"))["h"])
    return total or Decimal("0")


def exam_questions(attempt: Attempt) -> list[dict[str, Any]]:
    """The frozen questions as the exam page shows them (never the answer), with what was saved."""
    shown = []
    for number, question in enumerate(attempt.questions, start=1):
        saved = attempt.answers.get(question["id"]) or []
        shown.append({
            "id": question["id"], "number": number, "kind": question["kind"], "text": question["text"],
            "options": [{"index": i, "letter": chr(65 + i), "text": text, "checked": i in saved}
                        for i, text in enumerate(question["options"])],
            "value": saved[0] if question["kind"] == "fill" and saved else "",
        })
    return shown


def review(attempt: Attempt) -> list[dict[str, Any]]:
    """After submitting: each question with the worker's answer and whether it was right (the right answer
    itself is shown only once the exam is passed, so a failed attempt does not hand out the bank)."""
    from .services import grade

    rows = []
    for number, question in enumerate(attempt.questions, start=1):
        given = attempt.answers.get(question["id"]) or []
        right = grade([question], {question["id"]: given}) == 1
        if question["kind"] == "fill":
            given_text = given[0] if given else ""
            answer_text = " / ".join(question["answer"])
        else:
            given_text = "".join(chr(65 + int(i)) for i in given)
            answer_text = "".join(chr(65 + int(i)) for i in question["answer"])
        rows.append({"number": number, "text": question["text"], "given": given_text or "未作答", "right": right,
                     "answer": answer_text if attempt.passed else ""})
    return rows


def my_certificates(member: Member) -> QuerySet[Certificate]:
    """The member's certificates, newest first, with what the page and the API show of each."""
    return Certificate.objects.filter(enrollment__member=member).select_related(
        "enrollment__member", "enrollment__course__union")


def certificate_by_number(number: str) -> Certificate | None:
    number = (number or "").strip().upper()[:20]
    return (Certificate.objects.select_related("enrollment__member", "enrollment__course__union")
            .filter(number=number).first())


# --- Staff --------------------------------------------------------------------------------------------------------


def course_filter(user: Any, params: Any) -> tuple[QuerySet[Course], dict[str, str]]:
    qs = Course.objects.visible_to(user).select_related("union")
    filters = {"q": (params.get("q") or "").strip()[:50], "status": params.get("status") or "",
               "kind": params.get("kind") or ""}
    if filters["q"]:
        qs = qs.filter(title__icontains=filters["q"])
    if filters["status"] in CourseStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters["kind"] in CourseKind.values:
        qs = qs.filter(kind=filters["kind"])
    qs = qs.annotate(lesson_count=Count("lessons", distinct=True),
                     enrollment_count=Count("enrollments", distinct=True)).order_by("-updated_at", "-id")
    return qs, filters


def certificate_list(user: Any, params: Any) -> tuple[QuerySet[Certificate], dict[str, str]]:
    qs = (Certificate.objects.visible_to(user)
          .select_related("enrollment__member", "enrollment__course__union").order_by("-issued_at", "-id"))
    filters = {"q": (params.get("q") or "").strip()[:30], "status": params.get("status") or ""}
    if filters["q"]:
        qs = qs.filter(Q(number__icontains=filters["q"]) | Q(course_title__icontains=filters["q"]))
    if filters["status"] in CertificateStatus.values:
        qs = qs.filter(status=filters["status"])
    return qs, filters


def enrollment_rows(course: Course) -> QuerySet[Enrollment]:
    return (Enrollment.objects.filter(course=course).select_related("member", "certificate")
            .annotate(lessons_done=Count("progress", filter=Q(progress__done=True), distinct=True),
                      attempt_count=Count("attempts", distinct=True))
            .order_by("-created_at", "-id"))
