"""surveys pages: /surveys/… on the H5 (views/worker.py), /console/surveys/… in the console
(views/staff.py)."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import staff, worker

app_name = "surveys"

urlpatterns = module_urls(app_name, h5=[
    # The worker H5 and the public link
    path("", worker.mine, name="mine"),
    path("thanks/", worker.thanks, name="thanks"),
    path("p/<str:token>/", worker.public, name="public"),
    path("<uuid:key>/", worker.answer, name="answer"),
    path("<uuid:key>/draft/", worker.draft, name="draft"),
], console=[
    # The staff console
    path("", staff.survey_list, name="console_list"),
    path("new/", staff.survey_new, name="console_new"),
    path("<uuid:key>/", staff.survey_detail, name="console_detail"),
    path("<uuid:key>/edit/", staff.survey_edit, name="console_edit"),
    path("<uuid:key>/questions/new/", staff.question_new, name="console_question_new"),
    path("<uuid:key>/questions/<uuid:question>/", staff.question_edit, name="console_question_edit"),
    path("<uuid:key>/questions/<uuid:question>/delete/", staff.question_delete, name="console_question_delete"),
    path("<uuid:key>/questions/<uuid:question>/move/", staff.question_move, name="console_question_move"),
    path("<uuid:key>/sections/", staff.section_add, name="console_section_add"),
    path("<uuid:key>/sections/<uuid:section>/", staff.section_rename, name="console_section_rename"),
    path("<uuid:key>/sections/<uuid:section>/delete/", staff.section_delete, name="console_section_delete"),
    path("<uuid:key>/sections/<uuid:section>/move/", staff.section_move, name="console_section_move"),
    path("<uuid:key>/publish/", staff.publish, name="console_publish"),
    path("<uuid:key>/close/", staff.close, name="console_close"),
    path("<uuid:key>/duplicate/", staff.duplicate, name="console_duplicate"),
    path("<uuid:key>/preview/", staff.preview, name="console_preview"),
    path("<uuid:key>/qr.svg", staff.public_qr, name="console_qr"),
    path("<uuid:key>/poster/", staff.poster, name="console_poster"),
    path("<uuid:key>/collect/", staff.collect, name="console_collect"),
    path("<uuid:key>/results/", staff.results, name="console_results"),
    path("<uuid:key>/export/<str:what>.xlsx", staff.export, name="console_export"),
])
