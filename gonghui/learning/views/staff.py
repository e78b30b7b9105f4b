"""Console pages (/console/learning/…): courses in scope, creating and editing, lessons with uploads, the
question bank (one by one or from Excel), the trial review (提交试讲 → 通过/退回 → 发布, 下架), enrolments,
and certificates with revocation.

Thin adapters: parse (forms.py) → gate (access.py) → service (services.py) → render.
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

from gonghui.core.actions import form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import ValidationFailed
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.lib import excel
from gonghui.unions.models import Union

from .. import selectors, services
from ..access import access_certificate, access_course, access_lesson, access_question
from ..forms import CourseForm, ImportForm, LessonForm, NewCourseForm, NoteForm, QuestionForm, ReasonForm
from ..models import Certificate, CertificateStatus, Course, CourseKind, CourseStatus, Lesson, Question, QuestionKind


def _course_url(course: Course) -> str:
    return reverse("learning:console_course", args=[course.uuid])


def _can_write(user: Any, course: Course) -> bool:
    return scope_of(user).can(course.union.path, WRITE_ROLES)


def _photo(data: Any) -> dict[str, Any]:
    return {"photo": data.pop("photo", None), "photo_remove": data.pop("photo_remove", False)}


@staff_required
def course_list(request: HttpRequest) -> HttpResponse:
    qs, filters = selectors.course_filter(request.user, request.GET)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    scope = scope_of(request.user)
    return render(request, "learning/console/list.html", {
        "section": "learning", "tab": "courses", "page": page, "filters": filters,
        "statuses": CourseStatus.choices, "kinds": CourseKind.choices,
        "can_create": scope.is_superuser or bool(scope.paths(WRITE_ROLES)),
    })


@staff_required
def course_new(request: HttpRequest) -> HttpResponse:
    unions = Union.objects.writable_by(request.user).order_by("path")[:500]
    form = NewCourseForm(request.POST or None, request.FILES or None)

    def run(data: Any) -> Course:
        data = dict(data)
        union = Union.objects.writable_by(request.user).filter(uuid=data.pop("union")).first()
        if union is None:
            raise ValidationFailed("请选择您可以开课的工会", detail={"union": "无权在该工会开课"})
        photo = data.pop("photo", None)
        data.pop("photo_remove", None)
        return services.course_create(actor=request.user, union=union, photo=photo, **data)

    done = submit(request, form, run=run, success=lambda c: f"已创建课程「{c.title}」（草稿），请添加课时和试题",
                  redirect_to=_course_url)
    return done or render(request, "learning/console/course_form.html",
                          {"section": "learning", "form": form, "unions": unions},
                          status=form_status(request, form))


@staff_required
def course_detail(request: HttpRequest, key: str) -> HttpResponse:
    course = access_course(request.user, key)
    lessons = list(course.lessons.all())
    bank = course.questions.filter(active=True).count()
    return render(request, "learning/console/course.html", {
        "section": "learning", "course": course, "lessons": lessons, "bank": bank,
        "problems": services.course_problems(course), "can_write": _can_write(request.user, course),
        "events": list(course.events.select_related("actor").order_by("-created_at", "-id")[:20]),
        "enrollment_count": course.enrollments.count(),
        "certificate_count": course.enrollments.filter(certificate__isnull=False).count(),
        "lesson_form": LessonForm(initial={"kind": "text"}),
    })


@staff_required
def course_edit(request: HttpRequest, key: str) -> HttpResponse:
    course = access_course(request.user, key, write=True)
    initial = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    form = CourseForm(request.POST or None, request.FILES or None, initial=initial)

    def run(data: Any) -> Course:
        data = dict(data)
        return services.course_update(actor=request.user, course=course, **_photo(data), **data)

    done = submit(request, form, run=run, success="已保存", redirect_to=_course_url(course))
    return done or render(request, "learning/console/course_form.html",
                          {"section": "learning", "form": form, "course": course}, status=form_status(request, form))


# The course's review steps and the lessons' one-button actions: gated with write, back to the course.
course_action = partial(object_action, partial(access_course, write=True),
                        back=lambda request, course: _course_url(course))
lesson_action = partial(object_action, partial(access_lesson, write=True),
                        back=lambda request, lesson: _course_url(lesson.course))


@course_action(success="已提交试讲审核")
def course_submit(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.course_submit(actor=request.user, course=course)


@course_action(form=NoteForm, success="试讲审核通过，可以发布")
def course_approve(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.course_approve(actor=request.user, course=course, note=data["note"])


@course_action(form=NoteForm, success="已退回修改")
def course_reject(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.course_reject(actor=request.user, course=course, note=data["note"])


@course_action(success="课程已发布，职工可以报名学习")
def course_publish(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.course_publish(actor=request.user, course=course)


@course_action(success="课程已下架；已报名职工的记录和证书保留")
def course_retire(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.course_retire(actor=request.user, course=course)


# --- Lessons ------------------------------------------------------------------------------------------------------


@course_action(form=LessonForm, files=True, success="已添加课时")
def lesson_add(request: HttpRequest, course: Course, data: Mapping[str, Any]) -> Any:
    return services.lesson_add(actor=request.user, course=course, **data)


@staff_required
def lesson_edit(request: HttpRequest, key: str) -> HttpResponse:
    lesson = access_lesson(request.user, key, write=True)
    initial = {"title": lesson.title, "kind": lesson.kind, "position": lesson.position, "duration": lesson.duration,
               "body": lesson.body}
    form = LessonForm(request.POST or None, request.FILES or None, initial=initial)
    done = submit(request, form, run=lambda data: services.lesson_update(actor=request.user, lesson=lesson, **data),
                  success="已保存课时", redirect_to=_course_url(lesson.course))
    return done or render(request, "learning/console/lesson_form.html",
                          {"section": "learning", "form": form, "lesson": lesson, "course": lesson.course},
                          status=form_status(request, form))


@lesson_action(success="已删除课时")
def lesson_delete(request: HttpRequest, lesson: Lesson, data: Mapping[str, Any]) -> Any:
    return services.lesson_delete(actor=request.user, lesson=lesson)


# --- The question bank --------------------------------------------------------------------------------------------


@staff_required
def questions(request: HttpRequest, key: str) -> HttpResponse:
    course = access_course(request.user, key)
    form = QuestionForm(request.POST or None, initial={"kind": QuestionKind.SINGLE, "active": True})
    if request.method == "POST":
        course = access_course(request.user, key, write=True)
    done = submit(request, form, run=lambda data: services.question_add(actor=request.user, course=course, **data),
                  success="已添加试题", redirect_to=reverse("learning:console_questions", args=[course.uuid]))
    rows = list(course.questions.all())
    return done or render(request, "learning/console/questions.html", {
        "section": "learning", "course": course, "rows": rows, "form": form,
        "can_write": _can_write(request.user, course), "import_form": ImportForm(),
    }, status=form_status(request, form))


def _question_initial(question: Any) -> dict[str, Any]:
    if question.kind == QuestionKind.FILL:
        answer = " | ".join(question.answer)
    elif question.kind == QuestionKind.TRUE_FALSE:
        answer = "正确" if question.answer == [0] else "错误"
    else:
        answer = question.answer_label
    return {"kind": question.kind, "text": question.text, "options": "\n".join(question.options)
            if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else "",
            "answer": answer, "explanation": question.explanation, "active": question.active}


@staff_required
def question_edit(request: HttpRequest, key: str) -> HttpResponse:
    question = access_question(request.user, key, write=True)
    form = QuestionForm(request.POST or None, initial=_question_initial(question))
    back = reverse("learning:console_questions", args=[question.course.uuid])
    done = submit(request, form,
                  run=lambda data: services.question_update(actor=request.user, question=question, **data),
                  success="已保存试题", redirect_to=back)
    return done or render(request, "learning/console/question_form.html",
                          {"section": "learning", "form": form, "question": question, "course": question.course},
                          status=form_status(request, form))


@object_action(partial(access_question, write=True), success="已删除试题",
               back=lambda request, question: reverse("learning:console_questions", args=[question.course.uuid]))
def question_delete(request: HttpRequest, question: Question, data: Mapping[str, Any]) -> Any:
    return services.question_delete(actor=request.user, question=question)


@staff_required
@require_POST
def questions_import(request: HttpRequest, key: str) -> HttpResponse:
    """导入试题 from Excel: all rows or none, each bad row named with its line."""
    course = access_course(request.user, key, write=True)
    back = reverse("learning:console_questions", args=[course.uuid])
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的试题表格")
        return redirect(back)
    try:
        rows = services.question_rows(form.cleaned_data["file"])
    except excel.WorkbookError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    count, problems = services.questions_import(actor=request.user, course=course, rows=rows)
    if problems:
        messages.error(request, "未导入：" + "；".join(problems[:10]) + ("……" if len(problems) > 10 else ""))
    else:
        messages.success(request, f"已导入{count}道试题")
    return redirect(back)


@staff_required
def questions_template(request: HttpRequest, key: str) -> HttpResponse:
    course = access_course(request.user, key)
    data = excel.write_template(title="试题", header=list(services.IMPORT_COLUMNS), examples=[
        ["单选", "工会会员每月缴纳的会费为本人工资收入的多少？", "0.5%|1%|2%|5%", "A", ""],
        ["多选", "以下属于劳动者权利的有？", "获得劳动报酬|休息休假|获得劳动安全卫生保护|随意旷工", "ABC", ""],
        ["判断", "用人单位可以扣押劳动者的居民身份证。", "", "错误", "《劳动合同法》禁止扣押证件"],
        ["填空", "我国法定的劳动者每日工作时间不超过____小时。", "", "8|八", ""],
    ])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="questions-{course.uuid}.xlsx"'
    return response


# --- Enrolments and certificates ----------------------------------------------------------------------------------


@staff_required
def enrollments(request: HttpRequest, key: str) -> HttpResponse:
    course = access_course(request.user, key)
    page = Paginator(selectors.enrollment_rows(course), 30).get_page(request.GET.get("page"))
    return render(request, "learning/console/enrollments.html", {
        "section": "learning", "course": course, "page": page, "lesson_total": course.lessons.count()})


@staff_required
def certificates(request: HttpRequest) -> HttpResponse:
    qs, filters = selectors.certificate_list(request.user, request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "learning/console/certificates.html", {
        "section": "learning", "tab": "certificates", "page": page, "filters": filters,
        "statuses": CertificateStatus.choices})


@object_action(partial(access_certificate, write=True), form=ReasonForm,
               back=lambda request, certificate: reverse("learning:console_certificates"))
def certificate_revoke(request: HttpRequest, certificate: Certificate, data: Mapping[str, Any]) -> str:
    services.certificate_revoke(actor=request.user, certificate=certificate, reason=data["reason"])
    return f"已撤销证书 {certificate.number}"

