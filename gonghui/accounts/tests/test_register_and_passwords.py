"""Registration, password rules (staff vs members) and password change."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts import verification
from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.models import AuditLog
from gonghui.testing import PASSWORD, Cast, register_code, texted

pytestmark = pytest.mark.django_db


def _send(client: Client, phone: str, **headers: str):
    return client.post("/register/", {"action": "send", "phone": phone, "name": "刘快递"}, headers=headers)


def test_it_registers_a_worker_on_the_h5_with_an_sms_code() -> None:
    client = Client()
    code = texted(lambda: _send(client, "139 1234 5678"), "13912345678")
    page = client.get("/register/").content.decode()
    assert "获取验证码" in page and 'name="code"' in page
    response = client.post("/register/", {"name": "刘快递", "phone": "139 1234 5678", "code": code,
                                          "password": "ridefast2026"})
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.by_phone("13912345678").get()
    assert user.name == "刘快递" and "_auth_user_id" in client.session
    assert AuditLog.objects.filter(action="account.phone_verified", user=user).exists()


def test_it_sends_the_code_without_javascript_and_with_htmx() -> None:
    plain = _send(Client(), "13912345678")
    body = plain.content.decode()
    assert plain.status_code == 200 and "验证码已发送至139****5678" in body and 'data-code-wait="60"' in body
    assert "<html" in body and 'value="刘快递"' in body  # the whole page, what was typed kept
    fragment = _send(Client(), "13912345679", HX_Request="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text and 'id="code-status"' in text
    again = _send(Client(), "13912345679", HX_Request="true")
    assert again.status_code == 429 and "秒后再试" in again.content.decode()
    assert 'data-code-wait="' in again.content.decode()  # the button counts down the wait


def test_it_refuses_registration_without_the_right_code() -> None:
    missing = Client().post("/register/", {"name": "刘快递", "phone": "13912345678", "password": "ridefast2026"})
    assert missing.status_code == 200 and "请填写短信验证码" in missing.content.decode()
    never_sent = Client().post("/register/", {"name": "刘快递", "phone": "13912345678", "code": "123456",
                                              "password": "ridefast2026"})
    assert never_sent.status_code == 200 and "验证码已过期或未获取" in never_sent.content.decode()
    code = register_code("13912345678")
    wrong = Client().post("/register/", {"name": "刘快递", "phone": "13912345678",
                                         "code": "000000" if code != "000000" else "111111",
                                         "password": "ridefast2026"})
    assert wrong.status_code == 200 and "验证码不正确，还可以再试4次" in wrong.content.decode()
    assert not User.objects.exists()


def test_it_refuses_a_common_password_for_a_member_without_spending_the_code() -> None:
    code = register_code("13912345678")
    response = Client().post("/register/", {"name": "刘快递", "phone": "13912345678", "code": code,
                                            "password": "password123"})
    assert response.status_code == 200
    assert "太常见" in response.content.decode()
    assert not User.objects.exists()
    again = Client().post("/register/", {"name": "刘快递", "phone": "13912345678", "code": code,
                                         "password": "ridefast2026"})
    assert again.status_code == 302


def test_it_refuses_a_bad_phone_and_a_taken_phone(cast: Cast) -> None:
    bad = _send(Client(), "12345")
    assert bad.status_code == 200 and "手机号码格式不正确" in bad.content.decode()
    taken_code = _send(Client(), cast.worker_a.phone)
    assert taken_code.status_code == 409 and "该手机号已注册，请直接登录" in taken_code.content.decode()
    taken = Client().post("/api/v1/accounts/register", {"name": "刘", "phone": cast.worker_a.phone, "code": "123456",
                                                         "password": "ridefast2026"}, content_type="application/json")
    assert taken.status_code == 409 and taken.json()["message"] == "该手机号已注册，请直接登录"


def test_it_registers_through_the_api_with_a_code() -> None:
    client = Client()
    code = texted(lambda: client.post("/api/v1/accounts/register/code", {"phone": "13912345678"},
                                      content_type="application/json"), "13912345678")
    again = client.post("/api/v1/accounts/register/code", {"phone": "13912345678"}, content_type="application/json")
    assert again.status_code == 429 and again.json()["code"] == "throttled"
    payload = {"name": "王", "phone": "13912345678", "code": code, "password": "ridefast2026"}
    without = client.post("/api/v1/accounts/register", {k: v for k, v in payload.items() if k != "code"},
                          content_type="application/json")
    assert without.status_code == 422
    wrong = client.post("/api/v1/accounts/register", {**payload, "code": "000000" if code != "000000" else "111111"},
                        content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "code_wrong"
    response = client.post("/api/v1/accounts/register", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["phone"] == "139****5678"
    reused = client.post("/api/v1/accounts/register", {**payload, "phone": "13912345678"},
                         content_type="application/json")
    assert reused.status_code == 409


def test_it_limits_codes_per_client_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "IP_SEND_LIMIT", 3)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        assert client.post("/api/v1/accounts/register/code", {"phone": f"1391234000{n}"},
                           content_type="application/json").status_code == 202
    refused = client.post("/api/v1/accounts/register/code", {"phone": "13912340009"},
                          content_type="application/json")
    assert refused.status_code == 429 and "当前网络" in refused.json()["message"]
    elsewhere = Client(REMOTE_ADDR="198.51.100.1").post("/api/v1/accounts/register/code", {"phone": "13912340009"},
                                                        content_type="application/json")
    assert elsewhere.status_code == 202


def test_it_requires_three_character_classes_for_staff(cast: Cast) -> None:
    client = cast.client("district_a_admin", api=True)
    weak = client.post("/api/v1/accounts/staff", {"union": str(cast.district_a.uuid), "phone": "13912340000",
                                                  "role": "officer", "name": "新干事", "initial_password": "abcdefgh1"},
                       content_type="application/json")
    assert weak.status_code == 400 and "3类" in weak.json()["message"]
    payload = {"union": str(cast.district_a.uuid), "phone": "13912340000", "role": "officer", "name": "新干事",
               "initial_password": "Abcdefg#1x"}
    strong = client.post("/api/v1/accounts/staff", payload, content_type="application/json")
    assert strong.status_code == 201


def test_it_changes_a_password(cast: Cast) -> None:
    client = cast.client("worker_a")
    wrong = client.post("/me/password/", {"old_password": "nope", "new_password": "another-2026"})
    assert "原密码不正确" in wrong.content.decode()
    assert client.post("/me/password/", {"old_password": PASSWORD, "new_password": "another-2026"}).status_code == 302
    cast.worker_a.refresh_from_db()
    assert cast.worker_a.check_password("another-2026")


def test_it_applies_staff_rules_to_staff_password_changes(cast: Cast) -> None:
    assert StaffAssignment.objects.filter(user=cast.district_a_officer).exists()
    client = cast.client("district_a_officer")
    response = client.post("/me/password/", {"old_password": PASSWORD, "new_password": "alllowercase"})
    assert response.status_code == 200 and "3类" in response.content.decode()
