"""activities pages: /activities/… on the H5 (views/worker.py), /console/activities/… in the console
(views/staff.py)."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import staff, worker

app_name = "activities"

urlpatterns = module_urls(app_name, h5=[
    # The worker H5
    path("", worker.activity_list, name="list"),
    path("mine/", worker.my_signups, name="mine"),
    path("checkin/<str:code>/", worker.checkin, name="checkin"),
    path("photos/<uuid:key>/", worker.photo, name="photo"),
    path("signups/<uuid:key>/cancel/", worker.cancel, name="cancel"),
    path("signups/<uuid:key>/rate/", worker.rate, name="rate"),
    path("<uuid:key>/", worker.detail, name="detail"),
    path("<uuid:key>/signup/", worker.signup, name="signup"),
], console=[
    # The staff console
    path("", staff.activity_list, name="console_list"),
    path("new/", staff.activity_new, name="console_new"),
    path("stats/", staff.stats, name="console_stats"),
    path("brands/", staff.brand_options, name="console_brand_options"),
    path("signups/<uuid:key>/check-in/", staff.signup_checkin, name="console_signup_checkin"),
    path("signups/<uuid:key>/remove/", staff.signup_remove, name="console_signup_remove"),
    path("photos/<uuid:key>/delete/", staff.photo_delete, name="console_photo_delete"),
    path("<uuid:key>/", staff.activity_detail, name="console_detail"),
    path("<uuid:key>/edit/", staff.activity_edit, name="console_edit"),
    path("<uuid:key>/participants/", staff.participants, name="console_participants"),
    path("<uuid:key>/publish/", staff.publish, name="console_publish"),
    path("<uuid:key>/cancel/", staff.cancel, name="console_cancel"),
    path("<uuid:key>/conclude/", staff.conclude, name="console_conclude"),
    path("<uuid:key>/rotate-code/", staff.rotate_code, name="console_rotate_code"),
    path("<uuid:key>/checkin-qr.svg", staff.checkin_qr, name="console_checkin_qr"),
    path("<uuid:key>/scan/", staff.scan, name="console_scan"),
    path("<uuid:key>/photos/", staff.photo_add, name="console_photo_add"),
    path("<uuid:key>/export.xlsx", staff.export, name="console_export"),
])
