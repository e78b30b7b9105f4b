"""surveys pages: /surveys/… on the H5 (views/worker.py), /console/surveys/… in the console
(views/staff.py)."""

from django.urls import URLPattern, path

from .views import staff, worker

app_name = "surveys"

urlpatterns: list[URLPattern] = [
    # The worker H5 and the public link
    path("surveys/", worker.mine, name="mine"),
    path("surveys/thanks/", worker.thanks, name="thanks"),
    path("surveys/p/<str:token>/", worker.public, name="public"),
    path("surveys/<uuid:key>/", worker.answer, name="answer"),
    path("surveys/<uuid:key>/draft/", worker.draft, name="draft"),
    # The staff console
    path("console/surveys/", staff.survey_list, name="console_list"),
    path("console/surveys/new/", staff.survey_new, name="console_new"),
    path("console/surveys/<uuid:key>/", staff.survey_detail, name="console_detail"),
    path("console/surveys/<uuid:key>/edit/", staff.survey_edit, name="console_edit"),
    path("console/surveys/<uuid:key>/questions/new/", staff.question_new, name="console_question_new"),
    path("console/surveys/<uuid:key>/questions/<uuid:question>/", staff.question_edit, name="console_question_edit"),
    path("console/surveys/<uuid:key>/questions/<uuid:question>/delete/", staff.question_delete,
         name="console_question_delete"),
    path("console/surveys/<uuid:key>/questions/<uuid:question>/move/", staff.question_move,
         name="console_question_move"),
    path("console/surveys/<uuid:key>/sections/", staff.section_add, name="console_section_add"),
    path("console/surveys/<uuid:key>/sections/<uuid:section>/", staff.section_rename, name="console_section_rename"),
    path("console/surveys/<uuid:key>/sections/<uuid:section>/delete/", staff.section_delete,
         name="console_section_delete"),
    path("console/surveys/<uuid:key>/sections/<uuid:section>/move/", staff.section_move,
         name="console_section_move"),
    path("console/surveys/<uuid:key>/publish/", staff.publish, name="console_publish"),
    path("console/surveys/<uuid:key>/close/", staff.close, name="console_close"),
    path("console/surveys/<uuid:key>/duplicate/", staff.duplicate, name="console_duplicate"),
    path("console/surveys/<uuid:key>/preview/", staff.preview, name="console_preview"),
    path("console/surveys/<uuid:key>/qr.svg", staff.public_qr, name="console_qr"),
    path("console/surveys/<uuid:key>/poster/", staff.poster, name="console_poster"),
    path("console/surveys/<uuid:key>/collect/", staff.collect, name="console_collect"),
    path("console/surveys/<uuid:key>/results/", staff.results, name="console_results"),
    path("console/surveys/<uuid:key>/export/<str:what>.xlsx", staff.export, name="console_export"),
]
