"""Login by phone + password on the web form and the API token endpoint, with one shared lockout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from gonghui.core.models import AuditLog
from gonghui.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def _web_login(client: Client, phone: str, password: str):
    return client.post("/login/", {"phone": phone, "password": password})


def _api_login(client: Client, phone: str, password: str):
    """The token request, with a fresh authenticator code for staff who have one (the second factor)."""
    from gonghui.accounts.models import User
    from gonghui.accounts.second_factor import is_enrolled
    from gonghui.testing import otp_code

    body = {"phone": phone, "password": password}
    user = User.objects.by_phone(phone).first()
    if user is not None and is_enrolled(user):
        body["otp"] = otp_code(user)
    return client.post("/api/v1/accounts/token", body, content_type="application/json")


def test_it_logs_in_with_a_messy_phone_and_sends_staff_to_the_console(cast: Cast) -> None:
    phone = cast.district_a_officer.phone
    messy = f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
    response = _web_login(Client(), messy, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/console/"
    row = AuditLog.objects.filter(action="auth.login", result="success").get()
    assert row.user == cast.district_a_officer and row.union_name == "甲区总工会"


def test_it_sends_workers_home_after_login(cast: Cast) -> None:
    response = _web_login(Client(), cast.worker_a.phone, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_it_refuses_a_wrong_password_in_chinese(cast: Cast) -> None:
    response = _web_login(Client(), cast.worker_a.phone, "wrong-password")
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()
    assert AuditLog.objects.filter(action="auth.login", result="failure", user=cast.worker_a).count() == 1


def test_it_locks_the_account_after_five_failures_even_for_the_right_password(cast: Cast) -> None:
    phone = cast.worker_a.phone
    client = Client()
    for _ in range(5):
        _web_login(client, phone, "wrong-password")
    sixth = _web_login(client, phone, "wrong-password")
    assert sixth.status_code == 403 and "锁定" in sixth.content.decode()
    fresh = Client()
    seventh = _web_login(fresh, phone, PASSWORD)
    assert seventh.status_code == 403 and "锁定" in seventh.content.decode()
    assert "_auth_user_id" not in fresh.session
    assert AuditLog.objects.filter(action="auth.lockout", user=cast.worker_a).exists()


def test_it_counts_web_and_api_failures_together(cast: Cast) -> None:
    phone = cast.worker_a.phone
    for _ in range(3):
        _web_login(Client(), phone, "wrong-password")
    for _ in range(2):
        _api_login(Client(), phone, "wrong-password")
    response = _api_login(Client(), phone, PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "locked"
    assert "锁定" in response.json()["message"]


def test_it_unlocks_after_fifteen_minutes(cast: Cast) -> None:
    phone = cast.worker_a.phone
    for _ in range(5):
        _web_login(Client(), phone, "wrong-password")
    assert _web_login(Client(), phone, PASSWORD).status_code == 403
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert _web_login(Client(), phone, PASSWORD).status_code == 302


def test_it_does_not_lock_other_accounts(cast: Cast) -> None:
    for _ in range(6):
        _web_login(Client(), cast.worker_a.phone, "wrong-password")
    assert _web_login(Client(), cast.worker_b.phone, PASSWORD).status_code == 302


def test_it_keeps_the_phone_out_of_the_lockout_table(cast: Cast) -> None:
    for _ in range(5):
        _web_login(Client(), cast.worker_a.phone, "wrong-password")
    usernames = list(AccessAttempt.objects.values_list("username", flat=True))
    assert usernames and all(cast.worker_a.phone not in (u or "") for u in usernames)


# --- Locking on the account and the client address together (docs/security.md) --------------------------


def _from(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def test_it_does_not_let_anyone_lock_a_staff_member_out_from_elsewhere(cast: Cast) -> None:
    phone = cast.province_admin.phone
    attacker = _from("203.0.113.66")
    for _ in range(6):
        _web_login(attacker, phone, "wrong-password")
    assert _web_login(_from("203.0.113.66"), phone, PASSWORD).status_code == 403  # that address stays locked
    assert _api_login(_from("203.0.113.66"), phone, PASSWORD).status_code == 403
    owner = _from("198.51.100.20")
    assert _web_login(owner, phone, PASSWORD).status_code == 302  # the owner, at their desk, signs in
    assert _api_login(_from("198.51.100.20"), phone, PASSWORD).status_code == 201


def test_it_locks_the_account_everywhere_after_many_failures_from_many_addresses(
        cast: Cast, settings: Any) -> None:
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 12
    phone = cast.worker_a.phone
    for n in range(3):  # 4 each from 3 addresses: none reaches the per-address limit of 5
        for _ in range(4):
            _web_login(_from(f"203.0.113.{n + 1}"), phone, "wrong-password")
    for login in (_web_login, _api_login):
        refused = login(_from("198.51.100.30"), phone, PASSWORD)
        assert refused.status_code == 403
        message = refused.json()["message"] if login is _api_login else refused.content.decode()
        assert "忘记密码" in message
    assert AuditLog.objects.filter(action="auth.login", result="denied", user=cast.worker_a,
                                   detail__reason="account_locked").count() == 2
    assert _web_login(_from("198.51.100.30"), cast.worker_b.phone, PASSWORD).status_code == 302  # others unaffected
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert _web_login(_from("198.51.100.30"), phone, PASSWORD).status_code == 302


def test_it_counts_the_address_the_proxy_reports(cast: Cast, settings: Any) -> None:
    settings.NUM_PROXIES = 1
    phone = cast.worker_a.phone
    for _ in range(5):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").post(
            "/login/", {"phone": phone, "password": "wrong-password"})
    locked = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").post(
        "/login/", {"phone": phone, "password": PASSWORD})
    assert locked.status_code == 403
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.5").post(
        "/login/", {"phone": phone, "password": PASSWORD})
    assert other.status_code == 302  # behind the same proxy, another client


def test_every_password_check_goes_through_axes() -> None:
    """The web login and the API token endpoint are the only places that check a password, and both call
    user_authenticate (authenticate() under django-axes); no view calls check_password on its own."""
    import pathlib

    import gonghui

    root = pathlib.Path(gonghui.__file__).parent
    callers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                     if "tests" not in path.parts and "user_authenticate(" in path.read_text(encoding="utf-8"))
    assert callers == ["accounts/api.py", "accounts/views/auth.py"]
    checkers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                      if "tests" not in path.parts and "migrations" not in path.parts
                      and ".check_password(" in path.read_text(encoding="utf-8"))
    # the backend behind authenticate(); re-confirming the current password of a signed-in user
    # (changing the password or the phone) is not a sign-in.
    assert checkers == ["accounts/auth.py", "accounts/services.py", "accounts/verification.py"]
