"""/api/v1/learning/ for workers (members) and the public verify look-up. The same gates (access.py) and
services as the H5 pages (views/worker.py)."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from gonghui.core.api import Page, PageFields
from gonghui.core.context import client_ip
from gonghui.core.errors import NotFound
from gonghui.members.access import require_member

from .. import selectors, services
from ..access import (
    NOT_A_MEMBER,
    member_course,
    member_lesson,
    own_attempt,
    own_certificate,
    own_enrollment,
    verify_certificate,
)
from ..documents import certificate_download
from ..models import Attempt, AttemptStatus, Certificate, Course
from ..schemas import (
    AttemptOut,
    CertificateOut,
    CertificateVerifyOut,
    CourseDetailOut,
    ExamAnswersIn,
    LessonProgressOut,
    MemberCourseOut,
    MyCourseOut,
    MyEnrollmentRef,
    StudyProgressIn,
    StudyProgressOut,
)

router = Router()


class CoursePage(PageFields):
    items: list[MemberCourseOut]


@router.get("/courses", response=CoursePage, summary="职课堂课程目录（会员）")
def catalogue(request: HttpRequest, q: str = "", kind: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    member = require_member(request.user, message=NOT_A_MEMBER)
    result = Page().paginate_queryset(selectors.catalogue(member, q=q[:50], kind=kind),
                                      Page.Input(page=page, page_size=page_size))
    mine = {e.course_id: e for e in member.course_enrollments.filter(course__in=result["items"])}
    for course in result["items"]:
        course.my_enrollment = mine.get(course.pk)
    return result


def _detail(member: Any, course: Course) -> Course:
    enrollment = own_enrollment(member, course)
    course.my_enrollment = enrollment
    course.lessons_list = selectors.lessons_with_progress(course, enrollment)
    course.attempts_left = selectors.attempts_left(enrollment) if enrollment else None
    certificate = Certificate.objects.filter(enrollment=enrollment).first() if enrollment else None
    course.certificate_number = certificate.number if certificate else None
    return course


@router.get("/courses/{uuid:key}", response=CourseDetailOut, summary="课程详情与我的学习进度（会员）")
def course_detail(request: HttpRequest, key: UUID) -> Course:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return _detail(member, member_course(member, key))


@router.post("/courses/{uuid:key}/enroll", response={201: MyEnrollmentRef}, summary="报名课程（重复报名返回原报名）")
def enroll(request: HttpRequest, key: UUID) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return Status(201, services.enroll(actor=request.user, member=member, course=member_course(member, key)))


@router.get("/mine", response=list[MyCourseOut], summary="我的课程与学习进度")
def my_courses(request: HttpRequest) -> list:
    member = require_member(request.user, message=NOT_A_MEMBER)
    rows = selectors.my_courses(member)
    return [{"uuid": r.uuid, "course": r.course, "created_at": r.created_at, "lessons_total": r.lessons_total,
             "lessons_done": r.lessons_done, "percent": r.percent, "passed_at": r.passed_at, "certified": r.certified}
            for r in rows]


@router.get("/lessons/{uuid:key}", response=LessonProgressOut, summary="课时内容与我的进度（须已报名）")
def lesson(request: HttpRequest, key: UUID) -> Any:
    member = require_member(request.user, message=NOT_A_MEMBER)
    found, enrollment = member_lesson(member, key)
    found.my_progress = selectors.progress_of(enrollment, found)
    return found


@router.post("/lessons/{uuid:key}/progress", response=StudyProgressOut, summary="保存学习进度（播放位置、已学完）")
def progress(request: HttpRequest, key: UUID, payload: StudyProgressIn) -> Any:
    member = require_member(request.user, message=NOT_A_MEMBER)
    found, enrollment = member_lesson(member, key)
    return services.progress_save(actor=request.user, enrollment=enrollment, lesson=found, position=payload.position,
                                  done=payload.done)


@router.post("/courses/{uuid:key}/attempts", response={201: AttemptOut}, summary="开始考试（有未交卷的考试时返回它）")
def attempt_start(request: HttpRequest, key: UUID) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    enrollment = own_enrollment(member, member_course(member, key))
    if enrollment is None:
        raise NotFound("请先报名课程")
    return Status(201, services.attempt_start(actor=request.user, enrollment=enrollment))


def _current(request: HttpRequest, key: UUID) -> Attempt:
    row = own_attempt(require_member(request.user, message=NOT_A_MEMBER), key)
    if row.status == AttemptStatus.OPEN and row.expired():
        row = services.attempt_submit(actor=request.user, attempt=row, auto=True)
    return row


@router.get("/attempts/{uuid:key}", response=AttemptOut, summary="考试（答题中：题目与已保存的答案；已交卷：成绩）")
def attempt(request: HttpRequest, key: UUID) -> Attempt:
    return _current(request, key)


@router.put("/attempts/{uuid:key}/answers", response=AttemptOut, summary="暂存答案（可多次，合并保存）")
def answers(request: HttpRequest, key: UUID, payload: ExamAnswersIn) -> Attempt:
    row = _current(request, key)
    return services.attempt_answer(actor=request.user, attempt=row, answers=payload.answers)


@router.post("/attempts/{uuid:key}/submit", response=AttemptOut, summary="交卷（重复交卷只记录一次成绩）")
def submit(request: HttpRequest, key: UUID, payload: ExamAnswersIn | None = None) -> Attempt:
    row = own_attempt(require_member(request.user, message=NOT_A_MEMBER), key)
    return services.attempt_submit(actor=request.user, attempt=row, answers=payload.answers if payload else None)


@router.get("/certificates", response=list[CertificateOut], summary="我的结业证书")
def my_certificates(request: HttpRequest) -> list:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return list(selectors.my_certificates(member))


@router.get("/certificates/{uuid:key}/pdf", summary="下载结业证书 PDF", response={200: None})
def certificate_file(request: HttpRequest, key: UUID) -> HttpResponse:
    certificate = own_certificate(require_member(request.user, message=NOT_A_MEMBER), key)
    return certificate_download(request, certificate)


@router.get("/verify/{number}", auth=None, response=CertificateVerifyOut, summary="核验结业证书（无需登录）")
def verify(request: HttpRequest, number: str) -> Certificate:
    certificate = verify_certificate(number, address=client_ip(request))
    if certificate is None:
        raise NotFound("未找到该证书编号，请核对后重试")
    return certificate
