"""更换手机号 on 我的 and the API: the new number proven by a code, the current password, the old number
told by SMS and freed, the blind index and the encrypted phone updated, refusals audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import PhoneCode, User
from gonghui.core.models import AuditLog
from gonghui.core.notify import LoggingSmsBackend
from gonghui.lib import crypto
from gonghui.testing import PASSWORD, Cast, next_phone, register_code, texted

pytestmark = pytest.mark.django_db


def _web_code(client: Client, phone: str, **headers: str) -> str:
    return texted(lambda: client.post("/me/phone/", {"action": "send", "phone": phone}, headers=headers), phone)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_it_changes_the_phone_on_the_h5_and_tells_the_old_number(cast: Cast) -> None:
    user, client, new = cast.worker_a, cast.client("worker_a"), next_phone()
    old = user.phone
    me = client.get("/me/").content.decode()
    assert 'href="/me/phone/"' in me
    code = _web_code(client, new, HX_Request="true")
    LoggingSmsBackend.sent.clear()
    wrong_password = client.post("/me/phone/", {"phone": new, "code": code, "password": "nope-nope"})
    assert wrong_password.status_code == 403 and "登录密码不正确" in wrong_password.content.decode()
    response = client.post("/me/phone/", {"phone": new, "code": code, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"
    user.refresh_from_db()
    assert user.phone == new and user.phone_index == crypto.blind_index("phone", new)
    assert User.objects.by_phone(new).get() == user and not User.objects.by_phone(old).exists()
    assert client.get("/me/").status_code == 200  # still signed in
    row = AuditLog.objects.get(action="account.phone_change", result="success")
    assert row.user == user and row.detail == {"from": f"{old[:3]}****{old[-4:]}", "to": f"{new[:3]}****{new[-4:]}"}
    assert AuditLog.objects.filter(action="account.phone_change", result="denied", user=user,
                                   detail__reason="password_wrong").exists()
    assert old not in str(row.detail) and new not in str(row.detail)
    # The new number signs in; the old one is free for someone else's account.
    assert Client().post("/login/", {"phone": new, "password": PASSWORD}).status_code == 302
    assert Client().post("/login/", {"phone": old, "password": PASSWORD}).status_code == 200
    freed = register_code(old)
    other = Client().post("/register/", {"phone": old, "code": freed, "name": "新用户", "password": "ridefast2026"})
    assert other.status_code == 302


def test_it_texts_the_old_number_after_the_change(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    user, client, new = cast.worker_b, cast.client("worker_b", api=True), next_phone()
    old = user.phone
    code = texted(lambda: client.post("/api/v1/accounts/me/phone/code", {"phone": new},
                                      content_type="application/json"), new)
    LoggingSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/accounts/me/phone", {"phone": new, "code": code, "password": PASSWORD},
                               content_type="application/json")
    assert response.status_code == 200 and response.json()["phone"] == f"{new[:3]}****{new[-4:]}"
    texts = [text for number, text in LoggingSmsBackend.sent if number == old]
    assert len(texts) == 1 and f"{new[:3]}****{new[-4:]}" in texts[0] and "如非本人操作" in texts[0]
    assert client.get("/api/v1/accounts/me").status_code == 200  # the token stays valid


def test_it_refuses_bad_new_numbers(cast: Cast) -> None:
    client = cast.client("worker_a", api=True)

    def code(phone: str):
        return client.post("/api/v1/accounts/me/phone/code", {"phone": phone}, content_type="application/json")

    same = code(cast.worker_a.phone)
    assert same.status_code == 400 and same.json()["message"] == "新手机号与当前手机号相同"
    taken = code(cast.worker_b.phone)
    assert taken.status_code == 409 and taken.json()["message"] == "该手机号已被其他账号使用"
    bad = code("12345")
    assert bad.status_code == 400 and "手机号码格式不正确" in bad.json()["message"]
    page = cast.client("worker_a").post("/me/phone/", {"action": "send", "phone": cast.worker_b.phone})
    assert page.status_code == 409 and "该手机号已被其他账号使用" in page.content.decode()


def test_it_needs_the_code_of_the_new_number(cast: Cast) -> None:
    client, new = cast.client("worker_a", api=True), next_phone()
    never = client.post("/api/v1/accounts/me/phone", {"phone": new, "code": "123456", "password": PASSWORD},
                        content_type="application/json")
    assert never.status_code == 400 and never.json()["code"] == "code_expired"
    # A register code for the same number is not a phone_change code.
    register = register_code(new)
    other_purpose = client.post("/api/v1/accounts/me/phone", {"phone": new, "code": register, "password": PASSWORD},
                                content_type="application/json")
    assert other_purpose.status_code == 400
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))  # past the resend interval
    code = texted(lambda: client.post("/api/v1/accounts/me/phone/code", {"phone": new},
                                      content_type="application/json"), new)
    wrong = client.post("/api/v1/accounts/me/phone", {"phone": new, "code": _wrong(code), "password": PASSWORD},
                        content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "code_wrong"
    cast.worker_a.refresh_from_db()
    assert User.objects.by_phone(new).count() == 0
    assert AuditLog.objects.filter(action="account.phone_change", result="denied", user=cast.worker_a).count() == 3


def test_it_limits_tries_per_account(cast: Cast) -> None:
    client, new = cast.client("worker_a", api=True), next_phone()
    for _ in range(10):
        client.post("/api/v1/accounts/me/phone", {"phone": new, "code": "123456", "password": "wrong-password"},
                    content_type="application/json")
    refused = client.post("/api/v1/accounts/me/phone", {"phone": new, "code": "123456", "password": PASSWORD},
                          content_type="application/json")
    assert refused.status_code == 429 and "1小时后再试" in refused.json()["message"]


def test_it_needs_a_signed_in_user() -> None:
    assert Client().get("/me/phone/").status_code == 302
    api = Client().post("/api/v1/accounts/me/phone/code", {"phone": next_phone()}, content_type="application/json")
    assert api.status_code == 401
    change = Client().post("/api/v1/accounts/me/phone", {"phone": next_phone(), "code": "1", "password": "x"},
                           content_type="application/json")
    assert change.status_code == 401
