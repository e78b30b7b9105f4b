"""activities pages: /activities/… on the H5 (views/worker.py), /console/activities/… in the console
(views/staff.py)."""

from django.urls import URLPattern, path

from .views import staff, worker

app_name = "activities"

urlpatterns: list[URLPattern] = [
    # The worker H5
    path("activities/", worker.activity_list, name="list"),
    path("activities/mine/", worker.my_signups, name="mine"),
    path("activities/checkin/<str:code>/", worker.checkin, name="checkin"),
    path("activities/photos/<uuid:key>/", worker.photo, name="photo"),
    path("activities/signups/<uuid:key>/cancel/", worker.cancel, name="cancel"),
    path("activities/signups/<uuid:key>/rate/", worker.rate, name="rate"),
    path("activities/<uuid:key>/", worker.detail, name="detail"),
    path("activities/<uuid:key>/signup/", worker.signup, name="signup"),
    # The staff console
    path("console/activities/", staff.activity_list, name="console_list"),
    path("console/activities/new/", staff.activity_new, name="console_new"),
    path("console/activities/stats/", staff.stats, name="console_stats"),
    path("console/activities/brands/", staff.brand_options, name="console_brand_options"),
    path("console/activities/signups/<uuid:key>/check-in/", staff.signup_checkin, name="console_signup_checkin"),
    path("console/activities/signups/<uuid:key>/remove/", staff.signup_remove, name="console_signup_remove"),
    path("console/activities/photos/<uuid:key>/delete/", staff.photo_delete, name="console_photo_delete"),
    path("console/activities/<uuid:key>/", staff.activity_detail, name="console_detail"),
    path("console/activities/<uuid:key>/edit/", staff.activity_edit, name="console_edit"),
    path("console/activities/<uuid:key>/participants/", staff.participants, name="console_participants"),
    path("console/activities/<uuid:key>/publish/", staff.publish, name="console_publish"),
    path("console/activities/<uuid:key>/cancel/", staff.cancel, name="console_cancel"),
    path("console/activities/<uuid:key>/conclude/", staff.conclude, name="console_conclude"),
    path("console/activities/<uuid:key>/rotate-code/", staff.rotate_code, name="console_rotate_code"),
    path("console/activities/<uuid:key>/checkin-qr.svg", staff.checkin_qr, name="console_checkin_qr"),
    path("console/activities/<uuid:key>/scan/", staff.scan, name="console_scan"),
    path("console/activities/<uuid:key>/photos/", staff.photo_add, name="console_photo_add"),
    path("console/activities/<uuid:key>/export.xlsx", staff.export, name="console_export"),
]
