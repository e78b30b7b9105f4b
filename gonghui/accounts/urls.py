"""accounts pages: /me/… on the H5, /console/accounts/… in the console."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import auth, second_factor, staff, worker

app_name = "accounts"

# The signed-in worker's pages (/me/…) and the sign-in steps sit at the site's root, the console under the module.
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
    *module_urls(app_name, console=[
        path("staff/", staff.staff_list, name="staff"),
        path("staff/assign/", staff.staff_assign, name="staff_assign"),
        path("staff/<uuid:key>/role/", staff.staff_role, name="staff_role"),
        path("staff/<uuid:key>/remove/", staff.staff_remove, name="staff_remove"),
        path("staff/<uuid:key>/second-factor/reset/", staff.second_factor_reset, name="staff_second_factor_reset"),
    ]),
]
