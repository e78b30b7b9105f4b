"""Access gates for 职课堂 (see core/scope.py). Views, API and exports get courses, lessons, questions,
enrolments and certificates only through these.

Staff: ``access_*`` — 404 outside the caller's branch, 403 for a read-only role writing.
Workers: ``member_course`` (published courses of their union and the unions above it, or one they
enrolled in), ``own_enrollment``, ``member_lesson``, ``own_attempt``, ``own_certificate`` — someone
else's is a 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from gonghui.core import ratelimit
from gonghui.core.errors import NotFound
from gonghui.core.scope import gate, owned
from gonghui.lib.text import parse_uuid
from gonghui.members.models import Member

from .documents import VERIFY_LIMIT, VERIFY_WINDOW
from .models import Attempt, Certificate, Course, CourseStatus, Enrollment, Lesson, Question
from .selectors import certificate_by_number

NOT_A_MEMBER = "您还不是工会会员，入会后即可在职课堂学习"


def access_course(user: Any, key: Any, *, write: bool = False) -> Course:
    return gate(user, Course.objects.select_related("union"), write=write, uuid=key)


def access_lesson(user: Any, key: Any, *, write: bool = False) -> Lesson:
    return gate(user, Lesson.objects.select_related("course__union"), write=write, uuid=key)


def access_question(user: Any, key: Any, *, write: bool = False) -> Question:
    return gate(user, Question.objects.select_related("course__union"), write=write, uuid=key)


def access_enrollment(user: Any, key: Any, *, write: bool = False) -> Enrollment:
    return gate(user, Enrollment.objects.select_related("course__union", "member"), write=write, uuid=key)


def access_certificate(user: Any, key: Any, *, write: bool = False) -> Certificate:
    qs = Certificate.objects.select_related("enrollment__course__union", "enrollment__member")
    return gate(user, qs, write=write, uuid=key)


def member_course(member: Member, key: Any) -> Course:
    """A course as a member may see it: published for their branch, or one they enrolled in (also after
    it was retired, so their record and certificate still lead somewhere)."""
    key = parse_uuid(key)
    if key is None:
        raise NotFound("未找到该课程")
    qs = Course.objects.select_related("union")
    course = qs.for_member(member).filter(uuid=key).first()
    if course is None:
        course = (qs.exclude(status=CourseStatus.DRAFT).filter(uuid=key, enrollments__member=member).first())
    if course is None:
        raise NotFound("未找到该课程")
    return course


def own_enrollment(member: Member, course: Course) -> Enrollment | None:
    return Enrollment.objects.select_related("course__union").filter(member=member, course=course).first()


def member_lesson(member: Member, key: Any) -> tuple[Lesson, Enrollment]:
    """A lesson of a course the member enrolled in, with the enrolment; anything else is a 404."""
    lesson = owned(Lesson.objects.select_related("course__union"), owner=member, via="course__enrollments__member",
                   message="未找到该课时，请先报名课程", uuid=key)
    enrollment = own_enrollment(member, lesson.course)
    if enrollment is None:  # pragma: no cover - the lookup above went through the enrolment
        raise NotFound("未找到该课时，请先报名课程")
    return lesson, enrollment


def own_attempt(member: Member, key: Any) -> Attempt:
    return owned(Attempt.objects.select_related("enrollment__course__union", "enrollment__member"), owner=member,
                 via="enrollment__member", message="未找到该考试记录", uuid=key)


def own_certificate(member: Member, key: Any) -> Certificate:
    return owned(Certificate.objects.select_related("enrollment__course__union", "enrollment__member"),
                 owner=member, via="enrollment__member", message="未找到该证书", uuid=key)


def verify_certificate(number: str, *, address: str) -> Certificate | None:
    """The public verify look-up (no sign-in), for the page and the API: VERIFY_LIMIT look-ups per client
    ``address`` and VERIFY_WINDOW (TooManyRequests past it), then the certificate or None."""
    ratelimit.hit(f"learning.verify:{address or '-'}", limit=VERIFY_LIMIT, window=VERIFY_WINDOW,
                  message="查询过于频繁，请稍后再试")
    return certificate_by_number(number)
