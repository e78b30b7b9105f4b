"""/api/v1/learning/staff/…: courses in scope and their trial review, lessons (text; files through the
console), the question bank, enrolments and certificates with revocation. The same gates and services
as the console (views/staff.py)."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.unions.access import access_union_for_work

from .. import selectors, services
from ..access import access_certificate, access_course, access_lesson, access_question
from ..models import Certificate, Course, Enrollment, Lesson, Question
from ..schemas import (
    BankQuestionIn,
    BankQuestionOut,
    CertificateStaffOut,
    CourseIn,
    CoursePatch,
    CourseStaffOut,
    EnrollmentStaffOut,
    LessonIn,
    LessonOut,
    LessonPatch,
    RevokeIn,
    TrialNoteIn,
)

router = Router()


@router.get("/staff/courses", response=list[CourseStaffOut], summary="课程（本级及下级）")
@paginate(Page)
def courses(request: HttpRequest, q: str = "", status: str = "", kind: str = "") -> object:
    qs, _ = selectors.course_filter(request.user, {"q": q, "status": status, "kind": kind})
    return qs


@router.post("/staff/courses", response={201: CourseStaffOut}, summary="新建课程（草稿）")
def course_create(request: HttpRequest, payload: CourseIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    data = payload.dict(exclude={"union"})
    return Status(201, services.course_create(actor=request.user, union=union, **data))


@router.get("/staff/courses/{uuid:key}", response=CourseStaffOut, summary="课程详情")
def course(request: HttpRequest, key: UUID) -> Course:
    return access_course(request.user, key)


@router.patch("/staff/courses/{uuid:key}", response=CourseStaffOut, summary="编辑课程")
def course_update(request: HttpRequest, key: UUID, payload: CoursePatch) -> Course:
    found = access_course(request.user, key, write=True)
    return services.course_update(actor=request.user, course=found, **payload.dict(exclude_none=True))


@router.post("/staff/courses/{uuid:key}/submit", response=CourseStaffOut, summary="提交试讲审核")
def course_submit(request: HttpRequest, key: UUID) -> Course:
    return services.course_submit(actor=request.user, course=access_course(request.user, key, write=True))


@router.post("/staff/courses/{uuid:key}/approve", response=CourseStaffOut, summary="试讲审核通过")
def course_approve(request: HttpRequest, key: UUID, payload: TrialNoteIn) -> Course:
    return services.course_approve(actor=request.user, course=access_course(request.user, key, write=True),
                                   note=payload.note)


@router.post("/staff/courses/{uuid:key}/reject", response=CourseStaffOut, summary="试讲审核退回")
def course_reject(request: HttpRequest, key: UUID, payload: TrialNoteIn) -> Course:
    return services.course_reject(actor=request.user, course=access_course(request.user, key, write=True),
                                  note=payload.note)


@router.post("/staff/courses/{uuid:key}/publish", response=CourseStaffOut, summary="发布课程")
def course_publish(request: HttpRequest, key: UUID) -> Course:
    return services.course_publish(actor=request.user, course=access_course(request.user, key, write=True))


@router.post("/staff/courses/{uuid:key}/retire", response=CourseStaffOut, summary="下架课程")
def course_retire(request: HttpRequest, key: UUID) -> Course:
    return services.course_retire(actor=request.user, course=access_course(request.user, key, write=True))


@router.post("/staff/courses/{uuid:key}/lessons", response={201: LessonOut}, summary="添加图文课时")
def lesson_add(request: HttpRequest, key: UUID, payload: LessonIn) -> Status:
    found = access_course(request.user, key, write=True)
    return Status(201, services.lesson_add(actor=request.user, course=found, **payload.dict(exclude_none=True)))


@router.patch("/staff/lessons/{uuid:key}", response=LessonOut, summary="编辑课时")
def lesson_update(request: HttpRequest, key: UUID, payload: LessonPatch) -> Lesson:
    found = access_lesson(request.user, key, write=True)
    return services.lesson_update(actor=request.user, lesson=found, **payload.dict(exclude_none=True))


@router.delete("/staff/lessons/{uuid:key}", response={204: None}, summary="删除课时（尚无人学习时）")
def lesson_delete(request: HttpRequest, key: UUID) -> Status:
    services.lesson_delete(actor=request.user, lesson=access_lesson(request.user, key, write=True))
    return Status(204, None)


@router.get("/staff/courses/{uuid:key}/questions", response=list[BankQuestionOut], summary="题库")
def questions(request: HttpRequest, key: UUID) -> list[Question]:
    return list(access_course(request.user, key).questions.all())


@router.post("/staff/courses/{uuid:key}/questions", response={201: BankQuestionOut}, summary="添加试题")
def question_add(request: HttpRequest, key: UUID, payload: BankQuestionIn) -> Status:
    found = access_course(request.user, key, write=True)
    return Status(201, services.question_add(actor=request.user, course=found, **payload.dict(exclude={"active"})))


@router.put("/staff/questions/{uuid:key}", response=BankQuestionOut, summary="编辑试题")
def question_update(request: HttpRequest, key: UUID, payload: BankQuestionIn) -> Question:
    found = access_question(request.user, key, write=True)
    return services.question_update(actor=request.user, question=found, **payload.dict())


@router.delete("/staff/questions/{uuid:key}", response={204: None}, summary="删除试题")
def question_delete(request: HttpRequest, key: UUID) -> Status:
    services.question_delete(actor=request.user, question=access_question(request.user, key, write=True))
    return Status(204, None)


@router.get("/staff/courses/{uuid:key}/enrollments", response=list[EnrollmentStaffOut], summary="报名学员")
@paginate(Page)
def enrollments(request: HttpRequest, key: UUID) -> object:
    return Enrollment.objects.filter(course=access_course(request.user, key)).select_related("member")


@router.get("/staff/certificates", response=list[CertificateStaffOut], summary="结业证书（本级及下级）")
@paginate(Page)
def certificates(request: HttpRequest, q: str = "", status: str = "") -> object:
    qs, _ = selectors.certificate_list(request.user, {"q": q, "status": status})
    return qs


@router.post("/staff/certificates/{uuid:key}/revoke", response=CertificateStaffOut, summary="撤销证书（留痕）")
def certificate_revoke(request: HttpRequest, key: UUID, payload: RevokeIn) -> Certificate:
    found = access_certificate(request.user, key, write=True)
    return services.certificate_revoke(actor=request.user, certificate=found, reason=payload.reason)
