"""The staff second factor: the code step after the password, enrolment, recovery codes, the API token's
otp, the role setting, the superuser's reset and the staff password rule."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from gonghui.accounts import second_factor as sf
from gonghui.accounts import services
from gonghui.accounts.models import RecoveryCode, SecondFactor, StaffAssignment, User
from gonghui.core.errors import Forbidden, TooManyRequests
from gonghui.core.models import AuditLog
from gonghui.core.scope import Role
from gonghui.testing import PASSWORD, TOTP_SECRET, Cast, log_in, make_user, otp_code

pytestmark = pytest.mark.django_db


def _password_step(client: Client, user: User, password: str = PASSWORD):
    return client.post("/login/", {"phone": user.phone, "password": password})


def _api_token(user: User, **extra: str):
    return Client().post("/api/v1/accounts/token", {"phone": user.phone, "password": PASSWORD, **extra},
                         content_type="application/json")


def _code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + offset_steps)


# --- the web sign-in ------------------------------------------------------------------------------------------


def test_it_keeps_staff_signed_out_until_the_code_passes(cast: Cast) -> None:
    client = Client()
    officer = cast.district_a_officer
    response = _password_step(client, officer)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    console = client.get("/console/")
    assert console.status_code == 302 and console["Location"].startswith("/login/verify/")
    assert client.get("/api/v1/accounts/me").status_code == 401
    page = client.get(console["Location"])
    assert page.status_code == 200 and "动态验证码" in page.content.decode()

    done = client.post("/login/verify/", {"code": otp_code(officer), "next": "/console/"})
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get("/console/").status_code == 200
    row = AuditLog.objects.get(action="auth.second_factor")
    assert row.user == officer and row.detail["method"] == "totp"


def test_it_refuses_a_wrong_code_and_counts_it_towards_the_lockout(cast: Cast) -> None:
    client = Client()
    officer = cast.district_a_officer
    _password_step(client, officer)
    wrong = client.post("/login/verify/", {"code": "000000" if otp_code(officer) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="auth.login", result="failure", user=officer).count() == 1
    for _ in range(4):
        last = client.post("/login/verify/", {"code": "abcdefgh"})
    assert last.status_code == 403 and "锁定" in last.content.decode()
    # Locked: the right password is refused too, on the web and the API.
    again = _password_step(Client(), officer)
    assert again.status_code == 403 and "锁定" in again.content.decode()
    assert _api_token(officer, otp=otp_code(officer)).json()["code"] == "locked"


def test_it_accepts_a_code_only_once(cast: Cast) -> None:
    officer = cast.district_a_officer
    code = otp_code(officer)
    assert sf.verify_second_factor(officer, code)
    assert not sf.verify_second_factor(officer, code)  # replayed


def test_it_throttles_guessing(cast: Cast, settings) -> None:
    settings.SECOND_FACTOR_MAX_FAILURES = 3
    officer = cast.district_a_officer
    for _ in range(3):
        assert not sf.verify_second_factor(officer, "999999x")
    with pytest.raises(TooManyRequests):
        sf.verify_second_factor(officer, otp_code(officer))


def test_it_turns_a_session_without_the_second_factor_back_into_a_pending_sign_in(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.province_admin, backend="gonghui.accounts.auth.PhoneBackend")  # no code passed
    response = client.get("/console/accounts/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    assert "_auth_user_id" not in client.session
    assert client.get("/console/accounts/staff/").status_code == 302
    assert log_in(Client(), cast.province_admin).get("/console/accounts/staff/").status_code == 200


def test_it_lets_workers_sign_in_with_the_password_alone(cast: Cast) -> None:
    client = Client()
    assert _password_step(client, cast.worker_a)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(cast.worker_a.pk)


# --- enrolment and recovery codes -----------------------------------------------------------------------------


def _new_officer(cast: Cast) -> User:
    user = make_user("新干事")
    StaffAssignment.objects.create(user=user, union=cast.district_a, role=Role.OFFICER)
    return user


def _secret_on(page: str) -> str:
    return re.search(r'data-testid="enrol-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_it_enrols_on_first_sign_in_and_shows_ten_recovery_codes_once(cast: Cast) -> None:
    officer = _new_officer(cast)
    client = Client()
    first = _password_step(client, officer)
    assert client.get(first["Location"])["Location"].startswith("/login/enrol/")
    page = client.get("/login/enrol/").content.decode()
    assert "<svg" in page and "扫描" in page
    secret = _secret_on(page)
    assert client.get("/login/verify/")["Location"] == "/login/enrol/"  # no code step before enrolling
    assert SecondFactor.objects.get(user=officer).confirmed_at is None
    assert "_auth_user_id" not in client.session

    wrong = client.post("/login/enrol/", {"code": "123456" if _code_at(secret) != "123456" else "654321"})
    assert wrong.status_code == 200 and SecondFactor.objects.get(user=officer).confirmed_at is None
    assert _secret_on(wrong.content.decode()) == secret  # the same secret until it is confirmed

    done = client.post("/login/enrol/", {"code": _code_at(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get("/console/").status_code == 200
    stored = list(RecoveryCode.objects.filter(user=officer).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    assert client.get("/login/enrol/").status_code == 302
    assert AuditLog.objects.filter(action="auth.second_factor_enrol", user=officer).exists()

    # A recovery code works once, then never again.
    other = Client()
    _password_step(other, officer)
    used = other.post("/login/verify/", {"code": codes[0].upper()})
    assert used.status_code == 302 and other.session["_auth_user_id"] == str(officer.pk)
    assert sf.recovery_codes_left(officer) == 9
    third = Client()
    _password_step(third, officer)
    assert third.post("/login/verify/", {"code": codes[0]}).status_code == 200
    assert not sf.verify_second_factor(officer, codes[0])
    assert sf.verify_second_factor(officer, codes[1])


def test_it_refuses_to_enrol_twice(cast: Cast) -> None:
    with pytest.raises(Exception, match="已绑定"):
        sf.enrolment_start(cast.district_a_officer)


# --- the role setting ------------------------------------------------------------------------------------------


def test_it_follows_the_role_setting(cast: Cast, settings) -> None:
    assert sf.requires_second_factor(cast.district_a_admin) and sf.requires_second_factor(cast.district_a_officer)
    assert not sf.requires_second_factor(cast.district_a_viewer) and not sf.requires_second_factor(cast.auditor)
    assert not sf.requires_second_factor(cast.worker_a)
    viewer = Client()
    assert _password_step(viewer, cast.district_a_viewer)["Location"] == "/console/"
    assert viewer.get("/console/").status_code == 200

    settings.SECOND_FACTOR_ROLES = ["admin", "viewer"]
    fresh_viewer = User.objects.get(pk=cast.district_a_viewer.pk)
    assert sf.must_enrol(fresh_viewer)
    # A viewer's signed-in session from before is sent to enrolment.
    response = viewer.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/login/enrol/")
    # An officer outside the setting who enrolled anyway still passes the factor.
    assert sf.requires_second_factor(User.objects.get(pk=cast.district_a_officer.pk))
    officer_without = _new_officer(cast)
    assert not sf.requires_second_factor(officer_without)

    settings.SECOND_FACTOR_ROLES = []
    root = make_user("系统管理员")
    root.is_superuser = True
    root.save()
    assert sf.requires_second_factor(root)  # superusers always


# --- the API token ----------------------------------------------------------------------------------------------


def test_it_needs_the_otp_for_a_staff_token(cast: Cast) -> None:
    officer = cast.district_a_officer
    missing = _api_token(officer)
    assert missing.status_code == 403 and missing.json()["code"] == "second_factor_required"
    assert "动态验证码" in missing.json()["message"]
    wrong = _api_token(officer, otp="000000" if otp_code(officer) != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.json()["code"] == "second_factor_failed"
    ok = _api_token(officer, otp=otp_code(officer))
    assert ok.status_code == 201
    token = ok.json()["token"]
    me = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/accounts/me")
    assert me.status_code == 200 and me.json()["is_staff"]
    assert AuditLog.objects.filter(action="auth.login", result="failure", user=officer).count() == 1


def test_it_asks_unenrolled_staff_to_enrol_on_the_web_first(cast: Cast) -> None:
    response = _api_token(_new_officer(cast), otp="123456")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_enrol_required"


def test_it_gives_workers_and_viewers_a_token_with_the_password_alone(cast: Cast) -> None:
    assert _api_token(cast.worker_a).status_code == 201
    assert _api_token(cast.district_a_viewer).status_code == 201


# --- the superuser's reset ---------------------------------------------------------------------------------------


def test_it_lets_only_a_superuser_reset_a_lost_factor(cast: Cast) -> None:
    officer = cast.district_a_officer
    assignment = StaffAssignment.objects.get(user=officer)
    url = f"/console/accounts/staff/{assignment.uuid}/second-factor/reset/"
    admin = cast.client("province_admin")
    assert "重置</button>" not in admin.get("/console/accounts/staff/").content.decode()
    refused = admin.post(url)
    assert refused.status_code == 403
    with pytest.raises(Forbidden):
        sf.reset_second_factor(cast.district_a_admin, officer)
    assert SecondFactor.objects.filter(user=officer).exists()
    assert AuditLog.objects.filter(action="auth.second_factor_reset", result="denied").count() == 2
    # Another branch's staff is not even found.
    other = StaffAssignment.objects.get(user=cast.other_city_officer)
    assert cast.client("district_a_admin").post(
        f"/console/accounts/staff/{other.uuid}/second-factor/reset/").status_code == 404

    root = make_user("系统管理员")
    root.is_superuser = True
    root.save()
    sf.enrol_with_secret(root, TOTP_SECRET)
    superuser = log_in(Client(), root)
    assert "重置</button>" in superuser.get("/console/accounts/staff/").content.decode()
    done = superuser.post(url)
    assert done.status_code == 302
    assert not SecondFactor.objects.filter(user=officer).exists()
    assert not RecoveryCode.objects.filter(user=officer).exists()
    row = AuditLog.objects.get(action="auth.second_factor_reset", result="success")
    assert row.user == root and row.detail["user"] == str(officer.uuid)
    # The officer enrols again at the next sign-in.
    client = Client()
    _password_step(client, officer)
    assert client.get("/console/")["Location"].startswith("/login/enrol/")


# --- the staff password rule --------------------------------------------------------------------------------------


def test_it_applies_the_staff_password_rule(cast: Cast) -> None:
    from gonghui.accounts.validators import staff_password_problem

    officer = cast.district_a_officer
    assert staff_password_problem("Abcdefg#1", officer)  # 9 characters
    assert staff_password_problem("abcdefghij", officer)  # one class
    assert staff_password_problem(f"Ab#{officer.phone}", officer)  # the phone
    assert staff_password_problem(f"Abc#{officer.phone[-8:]}", officer)
    assert staff_password_problem("Abcdefg#12", officer) is None
    client = cast.client("district_a_officer")
    weak = client.post("/me/password/", {"old_password": PASSWORD, "new_password": "Gonghui#26"[:9]})
    assert "至少10位" in weak.content.decode()


def test_it_asks_a_worker_appointed_staff_with_a_weak_password_to_change_it(cast: Cast) -> None:
    worker = make_user("老职工", password="zhigong2026")
    services.staff_assign(actor=cast.district_a_admin, union=cast.grassroots_a, phone=worker.phone, name="",
                          role=Role.VIEWER)
    worker.refresh_from_db()
    assert worker.must_change_password
    client = Client()
    signed_in = _password_step(client, worker, "zhigong2026")
    assert signed_in.status_code == 302
    forced = client.get("/console/")
    assert forced.status_code == 302 and forced["Location"] == "/me/password/"
    page = client.get("/me/password/").content.decode()
    assert "不符合工作人员密码要求" in page
    assert _api_token_with(worker, "zhigong2026").json()["code"] == "password_change_required"
    changed = client.post("/me/password/", {"old_password": "zhigong2026", "new_password": "Zhigong#2026"})
    assert changed.status_code == 302
    worker.refresh_from_db()
    assert not worker.must_change_password
    assert client.get("/console/").status_code == 200


def test_it_does_not_ask_when_the_appointed_workers_password_already_meets_the_rule(cast: Cast) -> None:
    worker = make_user("强密码职工")  # PASSWORD meets the staff rule
    services.staff_assign(actor=cast.district_a_admin, union=cast.grassroots_a, phone=worker.phone, name="",
                          role=Role.VIEWER)
    client = Client()
    _password_step(client, worker)
    worker.refresh_from_db()
    assert not worker.must_change_password
    assert client.get("/console/").status_code == 200


def _api_token_with(user: User, password: str):
    return Client().post("/api/v1/accounts/token", {"phone": user.phone, "password": password},
                         content_type="application/json")


def test_it_prints_the_demo_code_outside_production(settings) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    from gonghui.accounts.demo import DEMO_TOTP_SECRET

    out = StringIO()
    call_command("demo_otp", stdout=out)
    codes = {pyotp.TOTP(DEMO_TOTP_SECRET).generate_otp(int(time.time() // 30) + d) for d in (-1, 0)}
    assert any(code in out.getvalue() for code in codes)
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_otp")
