"""unions pages: /unions/… (public join page) on the H5, /console/unions/… in the console."""

from django.urls import path

from .views import exports, imports, worker
from .views import staff as views

app_name = "unions"

urlpatterns = [
    path("unions/join/<str:code>/", worker.public, name="public"),
    path("console/unions/", views.tree, name="tree"),
    path("console/unions/export.xlsx", exports.export_unions, name="export_unions"),
    path("console/unions/import/", imports.import_page, name="import"),
    path("console/unions/import/commit/", imports.import_commit, name="import_commit"),
    path("console/unions/import/<uuid:key>/", imports.import_report, name="import_report"),
    path("console/unions/import/template/<str:kind>.xlsx", imports.template, name="import_template"),
    path("console/unions/employers/", views.employers, name="employers"),
    path("console/unions/employers/new/", views.employer_new, name="employer_new"),
    path("console/unions/employers/export.xlsx", exports.export_employers, name="export_employers"),
    path("console/unions/employers/<uuid:key>/", views.employer, name="employer"),
    path("console/unions/employers/<uuid:key>/edit/", views.employer_edit, name="employer_edit"),
    path("console/unions/employers/<uuid:key>/visits/", views.visit_add, name="visit_add"),
    path("console/unions/employers/<uuid:key>/problems/", views.problem_add, name="problem_add"),
    path("console/unions/problems/<uuid:key>/advance/", views.problem_advance, name="problem_advance"),
    path("console/unions/brands/<uuid:key>/delete/", views.brand_delete, name="brand_delete"),
    path("console/unions/<uuid:key>/", views.detail, name="detail"),
    path("console/unions/<uuid:key>/children/", views.children, name="children"),
    path("console/unions/<uuid:key>/update/", views.update, name="update"),
    path("console/unions/<uuid:key>/children/new/", views.create_child, name="create_child"),
    path("console/unions/<uuid:key>/move/", views.move, name="move"),
    path("console/unions/<uuid:key>/move/options/", views.parent_options, name="parent_options"),
    path("console/unions/<uuid:key>/active/", views.set_active, name="set_active"),
    path("console/unions/<uuid:key>/join-qr.svg", views.join_qr, name="join_qr"),
    path("console/unions/<uuid:key>/grids/", views.grid_add, name="grid_add"),
    path("console/unions/<uuid:key>/brands/", views.brand_add, name="brand_add"),
]
