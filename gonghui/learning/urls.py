"""职课堂 pages: /learning/… on the H5 (views/worker.py), /console/learning/… in the console (views/staff.py)."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import staff, worker

app_name = "learning"

urlpatterns = module_urls(app_name, h5=[
    # The worker H5
    path("", worker.catalogue, name="catalogue"),
    path("mine/", worker.my_courses, name="mine"),
    path("certificates/", worker.my_certificates, name="certificates"),
    path("certificates/<uuid:key>/pdf/", worker.certificate_download, name="certificate_pdf"),
    path("verify/<str:number>/", worker.verify, name="verify"),
    path("courses/<uuid:key>/", worker.course_detail, name="course"),
    path("courses/<uuid:key>/enroll/", worker.enroll, name="enroll"),
    path("courses/<uuid:key>/exam/", worker.exam_start, name="exam_start"),
    path("lessons/<uuid:key>/", worker.lesson, name="lesson"),
    path("lessons/<uuid:key>/file/", worker.lesson_file, name="lesson_file"),
    path("lessons/<uuid:key>/progress/", worker.lesson_progress, name="lesson_progress"),
    path("attempts/<uuid:key>/", worker.attempt_page, name="attempt"),
    path("attempts/<uuid:key>/save/", worker.attempt_save, name="attempt_save"),
    path("attempts/<uuid:key>/submit/", worker.attempt_submit, name="attempt_submit"),
], console=[
    # The staff console
    path("", staff.course_list, name="console_list"),
    path("new/", staff.course_new, name="console_new"),
    path("certificates/", staff.certificates, name="console_certificates"),
    path("certificates/<uuid:key>/revoke/", staff.certificate_revoke, name="console_certificate_revoke"),
    path("lessons/<uuid:key>/edit/", staff.lesson_edit, name="console_lesson_edit"),
    path("lessons/<uuid:key>/delete/", staff.lesson_delete, name="console_lesson_delete"),
    path("questions/<uuid:key>/edit/", staff.question_edit, name="console_question_edit"),
    path("questions/<uuid:key>/delete/", staff.question_delete, name="console_question_delete"),
    path("<uuid:key>/", staff.course_detail, name="console_course"),
    path("<uuid:key>/edit/", staff.course_edit, name="console_edit"),
    path("<uuid:key>/submit/", staff.course_submit, name="console_submit"),
    path("<uuid:key>/approve/", staff.course_approve, name="console_approve"),
    path("<uuid:key>/reject/", staff.course_reject, name="console_reject"),
    path("<uuid:key>/publish/", staff.course_publish, name="console_publish"),
    path("<uuid:key>/retire/", staff.course_retire, name="console_retire"),
    path("<uuid:key>/lessons/", staff.lesson_add, name="console_lesson_add"),
    path("<uuid:key>/questions/", staff.questions, name="console_questions"),
    path("<uuid:key>/questions/import/", staff.questions_import, name="console_questions_import"),
    path("<uuid:key>/questions/template.xlsx", staff.questions_template, name="console_questions_template"),
    path("<uuid:key>/enrollments/", staff.enrollments, name="console_enrollments"),
])
