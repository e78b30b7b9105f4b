"""账号安全: staff see their second factor's state and replace their recovery codes, on the web and the API,
only with a current authenticator code — never with a recovery code or a replayed code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gonghui.accounts import second_factor as sf
from gonghui.accounts.models import RecoveryCode, User
from gonghui.core.models import AuditLog
from gonghui.testing import Cast, log_in, otp_code

pytestmark = pytest.mark.django_db


def _codes_on(page: str) -> list[str]:
    return re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)


def _wrong(user: User) -> str:
    return "000000" if otp_code(user) != "000000" else "111111"


def test_the_page_shows_the_state_and_issues_new_codes(cast: Cast) -> None:
    officer = cast.district_a_officer
    old = sf.recovery_codes_issue(officer)
    assert sf.verify_second_factor(officer, old[0])  # one used up
    client = log_in(Client(), officer)
    page = client.get("/me/security/").content.decode()
    assert "已绑定" in page and "<b>9</b> / 10" in page

    done = client.post("/me/security/", {"code": otp_code(officer)})
    assert done.status_code == 200
    new = _codes_on(done.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "原有恢复码已全部作废" in done.content.decode()
    assert not sf.verify_second_factor(officer, old[1])  # the old ones stop working at once
    assert sf.verify_second_factor(officer, new[0])
    assert RecoveryCode.objects.filter(user=officer).count() == 10
    assert AuditLog.objects.filter(action="auth.recovery_codes_regenerate", result="success", user=officer).count() == 1


def test_it_refuses_a_wrong_code_a_recovery_code_and_a_replay(cast: Cast) -> None:
    officer = cast.district_a_officer
    old = sf.recovery_codes_issue(officer)
    client = log_in(Client(), officer)
    wrong = client.post("/me/security/", {"code": _wrong(officer)})
    assert wrong.status_code == 200 and "动态验证码不正确" in wrong.content.decode()
    recovery = client.post("/me/security/", {"code": old[0]})
    assert recovery.status_code == 200 and "恢复码不能用于此操作" in recovery.content.decode()
    code = otp_code(officer)
    assert sf.verify_second_factor(officer, code)  # used at sign-in
    replay = client.post("/me/security/", {"code": code})
    assert replay.status_code == 200
    assert sf.verify_second_factor(officer, old[1])  # nothing was replaced
    denied = AuditLog.objects.filter(action="auth.recovery_codes_regenerate", result="denied", user=officer)
    assert sorted(row.detail["reason"] for row in denied) == ["replayed", "wrong_code", "wrong_code"]


def test_the_api_reports_and_regenerates(cast: Cast) -> None:
    officer = cast.district_a_officer
    sf.recovery_codes_issue(officer)
    client = log_in(Client(), officer)
    state = client.get("/api/v1/accounts/me/second-factor").json()
    assert state == {"required": True, "enrolled": True, "recovery_codes_left": 10}
    bad = client.post("/api/v1/accounts/me/second-factor/recovery-codes", {"code": _wrong(officer)},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "second_factor_failed"
    made = client.post("/api/v1/accounts/me/second-factor/recovery-codes", {"code": otp_code(officer)},
                       content_type="application/json")
    assert made.status_code == 201 and len(made.json()["codes"]) == 10
    assert sf.verify_second_factor(officer, made.json()["codes"][3])


def test_workers_have_nothing_to_regenerate(cast: Cast) -> None:
    worker = cast.worker_a
    client = log_in(Client(), worker)
    page = client.get("/me/security/").content.decode()
    assert "无须身份验证器" in page and "生成新的恢复码" not in page
    assert client.get("/api/v1/accounts/me/second-factor").json() == {
        "required": False, "enrolled": False, "recovery_codes_left": 0}
    refused = client.post("/api/v1/accounts/me/second-factor/recovery-codes", {"code": "123456"},
                          content_type="application/json")
    assert refused.status_code == 409
    assert Client().get("/api/v1/accounts/me/second-factor").status_code == 401
    assert Client().get("/me/security/").status_code == 302
