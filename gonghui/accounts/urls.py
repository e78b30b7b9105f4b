"""accounts pages: /me/… on the H5, /console/accounts/… in the console."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/devices/", views.tokens, name="tokens"),
    path("me/password/", views.password_view, name="password"),
    path("logout/", views.logout_view, name="logout"),
    path("console/accounts/staff/", views.staff_list, name="staff"),
    path("console/accounts/staff/assign/", views.staff_assign, name="staff_assign"),
    path("console/accounts/staff/<uuid:key>/role/", views.staff_role, name="staff_role"),
    path("console/accounts/staff/<uuid:key>/remove/", views.staff_remove, name="staff_remove"),
]
