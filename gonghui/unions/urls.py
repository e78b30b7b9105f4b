"""unions pages: /unions/… (public join page) on the H5, /console/unions/… in the console."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import exports, imports, worker
from .views import staff as views

app_name = "unions"

urlpatterns = module_urls(app_name, h5=[
    path("join/<str:code>/", worker.public, name="public"),
], console=[
    path("", views.tree, name="tree"),
    path("export.xlsx", exports.export_unions, name="export_unions"),
    path("import/", imports.import_page, name="import"),
    path("import/commit/", imports.import_commit, name="import_commit"),
    path("import/<uuid:key>/", imports.import_report, name="import_report"),
    path("import/template/<str:kind>.xlsx", imports.template, name="import_template"),
    path("employers/", views.employers, name="employers"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/export.xlsx", exports.export_employers, name="export_employers"),
    path("employers/<uuid:key>/", views.employer, name="employer"),
    path("employers/<uuid:key>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<uuid:key>/visits/", views.visit_add, name="visit_add"),
    path("employers/<uuid:key>/problems/", views.problem_add, name="problem_add"),
    path("problems/<uuid:key>/advance/", views.problem_advance, name="problem_advance"),
    path("brands/<uuid:key>/delete/", views.brand_delete, name="brand_delete"),
    path("<uuid:key>/", views.detail, name="detail"),
    path("<uuid:key>/children/", views.children, name="children"),
    path("<uuid:key>/update/", views.update, name="update"),
    path("<uuid:key>/children/new/", views.create_child, name="create_child"),
    path("<uuid:key>/move/", views.move, name="move"),
    path("<uuid:key>/move/options/", views.parent_options, name="parent_options"),
    path("<uuid:key>/active/", views.set_active, name="set_active"),
    path("<uuid:key>/join-qr.svg", views.join_qr, name="join_qr"),
    path("<uuid:key>/grids/", views.grid_add, name="grid_add"),
    path("<uuid:key>/brands/", views.brand_add, name="brand_add"),
])
