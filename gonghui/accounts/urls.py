"""accounts pages: /me/… on the H5, /console/accounts/… in the console."""

from django.urls import path

from .views import auth, second_factor, staff, worker

app_name = "accounts"

urlpatterns = [
    path("me/", worker.me, name="me"),
    path("me/devices/", worker.tokens, name="tokens"),
    path("me/password/", worker.password_view, name="password"),
    path("me/phone/", worker.phone_view, name="phone"),
    path("me/security/", second_factor.security_view, name="security"),
    path("password/forgot/", auth.password_forgot, name="password_forgot"),
    path("password/reset/", auth.password_reset, name="password_reset"),
    path("logout/", auth.logout_view, name="logout"),
    path("login/verify/", second_factor.verify_view, name="second_factor"),
    path("login/enrol/", second_factor.enrol_view, name="second_factor_enrol"),
    path("console/accounts/staff/", staff.staff_list, name="staff"),
    path("console/accounts/staff/assign/", staff.staff_assign, name="staff_assign"),
    path("console/accounts/staff/<uuid:key>/role/", staff.staff_role, name="staff_role"),
    path("console/accounts/staff/<uuid:key>/remove/", staff.staff_remove, name="staff_remove"),
    path("console/accounts/staff/<uuid:key>/second-factor/reset/", staff.second_factor_reset,
         name="staff_second_factor_reset"),
]
