"""职课堂 pages: /learning/… on the H5 (views/worker.py), /console/learning/… in the console (views/staff.py)."""

from django.urls import URLPattern, path

from .views import staff, worker

app_name = "learning"

urlpatterns: list[URLPattern] = [
    # The worker H5
    path("learning/", worker.catalogue, name="catalogue"),
    path("learning/mine/", worker.my_courses, name="mine"),
    path("learning/certificates/", worker.my_certificates, name="certificates"),
    path("learning/certificates/<uuid:key>/pdf/", worker.certificate_download, name="certificate_pdf"),
    path("learning/verify/<str:number>/", worker.verify, name="verify"),
    path("learning/courses/<uuid:key>/", worker.course_detail, name="course"),
    path("learning/courses/<uuid:key>/enroll/", worker.enroll, name="enroll"),
    path("learning/courses/<uuid:key>/exam/", worker.exam_start, name="exam_start"),
    path("learning/lessons/<uuid:key>/", worker.lesson, name="lesson"),
    path("learning/lessons/<uuid:key>/file/", worker.lesson_file, name="lesson_file"),
    path("learning/lessons/<uuid:key>/progress/", worker.lesson_progress, name="lesson_progress"),
    path("learning/attempts/<uuid:key>/", worker.attempt_page, name="attempt"),
    path("learning/attempts/<uuid:key>/save/", worker.attempt_save, name="attempt_save"),
    path("learning/attempts/<uuid:key>/submit/", worker.attempt_submit, name="attempt_submit"),
    # The staff console
    path("console/learning/", staff.course_list, name="console_list"),
    path("console/learning/new/", staff.course_new, name="console_new"),
    path("console/learning/certificates/", staff.certificates, name="console_certificates"),
    path("console/learning/certificates/<uuid:key>/revoke/", staff.certificate_revoke,
         name="console_certificate_revoke"),
    path("console/learning/lessons/<uuid:key>/edit/", staff.lesson_edit, name="console_lesson_edit"),
    path("console/learning/lessons/<uuid:key>/delete/", staff.lesson_delete, name="console_lesson_delete"),
    path("console/learning/questions/<uuid:key>/edit/", staff.question_edit, name="console_question_edit"),
    path("console/learning/questions/<uuid:key>/delete/", staff.question_delete, name="console_question_delete"),
    path("console/learning/<uuid:key>/", staff.course_detail, name="console_course"),
    path("console/learning/<uuid:key>/edit/", staff.course_edit, name="console_edit"),
    path("console/learning/<uuid:key>/submit/", staff.course_submit, name="console_submit"),
    path("console/learning/<uuid:key>/approve/", staff.course_approve, name="console_approve"),
    path("console/learning/<uuid:key>/reject/", staff.course_reject, name="console_reject"),
    path("console/learning/<uuid:key>/publish/", staff.course_publish, name="console_publish"),
    path("console/learning/<uuid:key>/retire/", staff.course_retire, name="console_retire"),
    path("console/learning/<uuid:key>/lessons/", staff.lesson_add, name="console_lesson_add"),
    path("console/learning/<uuid:key>/questions/", staff.questions, name="console_questions"),
    path("console/learning/<uuid:key>/questions/import/", staff.questions_import, name="console_questions_import"),
    path("console/learning/<uuid:key>/questions/template.xlsx", staff.questions_template,
         name="console_questions_template"),
    path("console/learning/<uuid:key>/enrollments/", staff.enrollments, name="console_enrollments"),
]
