"""Worker H5 pages (/learning/…): the catalogue, a course with 报名, my courses with progress, the lesson
player (video and documents served in byte ranges), the exam (answers saved as they are given, resumed
after a dropped connection, the time kept by the server), its result, my certificates with the PDF, and
the public verify page a certificate's QR code opens."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, attempt
from gonghui.core.context import client_ip
from gonghui.core.errors import NotFound
from gonghui.core.responses import ranged_file
from gonghui.core.scope import staff_or_owner
from gonghui.members.access import require_member
from gonghui.members.models import Member
from gonghui.members.views.membership import members_only

from .. import selectors, services
from ..access import (
    NOT_A_MEMBER,
    access_lesson,
    member_course,
    member_lesson,
    own_attempt,
    own_certificate,
    own_enrollment,
    verify_certificate,
)
from ..documents import certificate_download as certificate_response
from ..forms import ProgressForm
from ..models import Attempt, AttemptStatus, Certificate, CourseKind

# The pages of the member's own learning; a worker who is not a member is invited to join.
members_page = partial(members_only, glyph="学",
                       blurb="职课堂面向工会会员开放。入会后即可在线选课、学习、考试并获得结业证书。")


@members_page("职课堂")
def catalogue(request: HttpRequest, member: Member) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.catalogue(member, q=q, kind=kind), 20).get_page(request.GET.get("page"))
    mine = selectors.enrolled_course_ids(member, page.object_list)
    for course in page.object_list:
        course.enrolled = course.pk in mine
    return render(request, "learning/h5/catalogue.html", {"tab": "home", "page": page, "q": q, "kind": kind,
                                                          "kinds": CourseKind.choices})


@login_required
def course_detail(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    course = member_course(member, key)
    enrollment = own_enrollment(member, course)
    lessons = selectors.lessons_with_progress(course, enrollment)
    context: dict[str, Any] = {"tab": "home", "course": course, "enrollment": enrollment, "lessons": lessons}
    if enrollment is not None:
        context.update(selectors.exam_state(enrollment, lessons))
    return render(request, "learning/h5/course.html", context)


@login_required
@require_POST
def enroll(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    course = member_course(member, key)
    return act(request, run=lambda data: services.enroll(actor=request.user, member=member, course=course),
               success="报名成功，开始学习吧", back=reverse("learning:course", args=[course.uuid]))


@members_page("我的课程")
def my_courses(request: HttpRequest, member: Member) -> HttpResponse:
    rows = selectors.my_courses(member)
    return render(request, "learning/h5/mine.html", {"tab": "me", "rows": rows,
                                                     "hours": selectors.hours_earned(member)})


@login_required
def lesson(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    found, enrollment = member_lesson(member, key)
    progress = selectors.progress_of(enrollment, found)
    lessons = list(found.course.lessons.all())
    index = next(i for i, row in enumerate(lessons) if row.pk == found.pk)
    return render(request, "learning/h5/lesson.html", {
        "tab": "home", "lesson": found, "course": found.course, "enrollment": enrollment, "progress": progress,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None, "number": index + 1,
        "count": len(lessons),
    })


@login_required
def lesson_file(request: HttpRequest, key: str) -> HttpResponse:
    """A lesson's video or document, in byte ranges: for an enrolled member, or staff in the course's branch."""
    found = staff_or_owner(
        request.user, key, staff=access_lesson,
        owner=lambda user, key: member_lesson(require_member(user, message=NOT_A_MEMBER), key)[0])
    if not found.file:
        raise NotFound("该课时没有文件")
    response = ranged_file(request, found.file, content_type=found.content_type, missing="课时文件已不存在")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def lesson_progress(request: HttpRequest, key: str) -> HttpResponse:
    """The player's position (a beacon every few seconds, on pause and at the end) or 标记为已学完."""
    member = require_member(request.user, message=NOT_A_MEMBER)
    found, enrollment = member_lesson(member, key)
    form = ProgressForm(request.POST)
    if request.headers.get("X-Requested-With") == "fetch":  # the player's beacon (gonghui.js data-progress-url)
        outcome = attempt(lambda data: services.progress_save(
            actor=request.user, enrollment=enrollment, lesson=found, position=data.get("position") or 0,
            done=bool(data.get("done"))), form)
        return HttpResponse(outcome.error, status=outcome.status) if not outcome.ok else HttpResponse(status=204)

    def mark(data: Any) -> HttpResponse:
        services.progress_save(actor=request.user, enrollment=enrollment, lesson=found,
                               position=data.get("position") or 0, done=True)
        messages.success(request, "已学完本课时")
        following = found.course.lessons.filter(position__gt=found.position).first()
        return redirect(reverse("learning:lesson", args=[following.uuid]) if following
                        else reverse("learning:course", args=[found.course.uuid]))

    return act(request, form=form, run=mark, back=reverse("learning:lesson", args=[found.uuid]))


# --- The exam -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def exam_start(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    course = member_course(member, key)
    enrollment = own_enrollment(member, course)
    if enrollment is None:
        raise NotFound("请先报名课程")
    return act(request, run=lambda data: services.attempt_start(actor=request.user, enrollment=enrollment),
               redirect_to=lambda made: reverse("learning:attempt", args=[made.uuid]),
               back=reverse("learning:course", args=[course.uuid]))


def _form_answers(attempt_row: Attempt, post: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in attempt_row.questions:
        name = f"q-{question['id']}"
        if question["kind"] == "fill":
            if name in post:
                answers[question["id"]] = [post.get(name, "")]
        elif question["kind"] == "multiple":
            if name in post or f"{name}-seen" in post:
                answers[question["id"]] = post.getlist(name)
        elif name in post:
            answers[question["id"]] = [post.get(name)]
    return answers


@login_required
def attempt_page(request: HttpRequest, key: str) -> HttpResponse:
    """The exam while it is open (what was saved is filled back in: a reload or a dropped connection
    resumes), the result once it is handed in. Opening an attempt whose time ran out hands it in."""
    member = require_member(request.user, message=NOT_A_MEMBER)
    row = own_attempt(member, key)
    if row.status == AttemptStatus.OPEN and row.expired():
        row = services.attempt_submit(actor=request.user, attempt=row, auto=True)
    course = row.enrollment.course
    if row.status == AttemptStatus.SUBMITTED:
        certificate = Certificate.objects.filter(enrollment=row.enrollment).first()
        return render(request, "learning/h5/result.html", {
            "tab": "home", "attempt": row, "course": course, "certificate": certificate,
            "left": selectors.attempts_left(row.enrollment), "review": selectors.review(row)})
    return render(request, "learning/h5/exam.html", {
        "tab": "home", "attempt": row, "course": course, "questions": selectors.exam_questions(row),
    })


@login_required
@require_POST
def attempt_save(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: 暂存 the whole form (every change posts it); answers a one-line status."""
    member = require_member(request.user, message=NOT_A_MEMBER)
    row = own_attempt(member, key)
    outcome = attempt(lambda data: services.attempt_answer(actor=request.user, attempt=row,
                                                           answers=_form_answers(row, request.POST)))
    return render(request, "learning/h5/_saved.html", {"outcome": outcome, "attempt": outcome.result or row},
                  status=outcome.status)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    row = own_attempt(member, key)
    return act(request, run=lambda data: services.attempt_submit(actor=request.user, attempt=row,
                                                                 answers=_form_answers(row, request.POST)),
               success="已交卷", back=reverse("learning:attempt", args=[row.uuid]))


# --- Certificates -------------------------------------------------------------------------------------------------


@members_page("我的证书")
def my_certificates(request: HttpRequest, member: Member) -> HttpResponse:
    rows = list(selectors.my_certificates(member))
    return render(request, "learning/h5/certificates.html", {"tab": "me", "rows": rows})


@login_required
def certificate_download(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    certificate = own_certificate(member, key)
    return certificate_response(request, certificate)


def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The public verify page (no sign-in): masked name, course, date, valid or revoked."""
    certificate = verify_certificate(number, address=client_ip(request))
    if certificate is None:
        return render(request, "learning/h5/verify_missing.html", {"number": number[:40]}, status=404)
    return render(request, "learning/h5/verify.html", {"certificate": certificate})
