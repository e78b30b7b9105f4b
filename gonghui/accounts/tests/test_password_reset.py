"""忘记密码: reset by SMS code on the web and the API; no hint whether a phone has an account; limits,
audit rows, sessions and tokens ended, the lockout cleared, and the second factor for staff."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from gonghui.accounts import recovery
from gonghui.accounts.models import ApiToken, User
from gonghui.core.models import AuditLog
from gonghui.core.notify import LoggingSmsBackend
from gonghui.testing import PASSWORD, Cast, make_user, next_phone, otp_code, texted

pytestmark = pytest.mark.django_db
NEW = "Anders#2027x"


def _api(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1/accounts/password-reset{path}", body, content_type="application/json")


def _web_code(client: Client, phone: str) -> str:
    return texted(lambda: client.post("/password/forgot/", {"action": "send", "phone": phone}), phone)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_it_resets_a_password_on_the_web_and_ends_every_session_and_token(cast: Cast) -> None:
    user = cast.worker_a
    signed_in = cast.client("worker_a")
    app = cast.client("worker_a", api=True)
    assert signed_in.get("/me/").status_code == 200 and app.get("/api/v1/accounts/me").status_code == 200
    login_page = Client().get("/login/").content.decode()
    assert 'href="/password/forgot/"' in login_page and "忘记密码" in login_page

    client = Client()
    code = _web_code(client, user.phone)
    wrong = client.post("/password/forgot/", {"phone": user.phone, "code": _wrong(code)})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    step = client.post("/password/forgot/", {"phone": user.phone, "code": code})
    assert step.status_code == 302 and step["Location"] == "/password/reset/"
    page = client.get("/password/reset/").content.decode()
    assert user.masked_phone in page and 'name="otp"' not in page
    weak = client.post("/password/reset/", {"new_password": "short"})
    assert weak.status_code == 200 and "密码至少8位" in weak.content.decode()
    done = client.post("/password/reset/", {"new_password": NEW})
    assert done.status_code == 302 and done["Location"] == "/login/"

    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert signed_in.get("/me/").status_code == 302  # the old browser session is over
    assert app.get("/api/v1/accounts/me").status_code == 401  # and the app's token
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert "_auth_user_id" not in client.session  # the reset itself signs no one in
    row = AuditLog.objects.get(action="account.password_reset", result="success")
    assert row.user == user and row.detail["tokens_revoked"] == 1
    assert AuditLog.objects.filter(action="account.password_reset", result="denied", user=user,
                                   detail__reason="code_wrong").exists()
    # The ticket is good once: the reset page sends back to step 1.
    again = client.get("/password/reset/")
    assert again.status_code == 302 and again["Location"] == "/password/forgot/"


def test_it_resets_through_the_api(cast: Cast) -> None:
    user, client = cast.gig_worker_a, Client()
    code = texted(lambda: _api(client, "/code", {"phone": user.phone}), user.phone)
    verified = _api(client, "/verify", {"phone": user.phone, "code": code})
    assert verified.status_code == 200, verified.content
    body = verified.json()
    assert body["otp_required"] is False and body["expires_in"] == 600
    assert _api(client, "/verify", {"phone": user.phone, "code": code}).status_code == 400  # used up
    bad = _api(client, "", {"ticket": body["ticket"] + "x", "new_password": NEW})
    assert bad.status_code == 400 and bad.json()["code"] == "ticket_expired"
    assert _api(client, "", {"ticket": body["ticket"], "new_password": NEW}).status_code == 204
    second = _api(client, "", {"ticket": body["ticket"], "new_password": "Another#2028"})
    assert second.status_code == 400 and second.json()["code"] == "ticket_expired"
    user.refresh_from_db()
    assert user.check_password(NEW)
    token = Client().post("/api/v1/accounts/token", {"phone": user.phone, "password": NEW},
                          content_type="application/json")
    assert token.status_code == 201


def test_it_answers_the_same_for_a_phone_without_an_account(cast: Cast) -> None:
    LoggingSmsBackend.sent.clear()
    unknown, known = next_phone(), cast.worker_b.phone
    answers = []
    for phone in (unknown, known):
        client = Client()
        sent = _api(client, "/code", {"phone": phone})
        again = _api(client, "/code", {"phone": phone})
        page = client.post("/password/forgot/", {"action": "send", "phone": phone})
        guess = _api(client, "/verify", {"phone": phone, "code": "123456"})
        answers.append((sent.status_code, sent.json(), again.status_code, again.json()["code"],
                        page.status_code, guess.status_code, guess.json()["message"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202 and answers[0][2] == 429
    assert all(number != unknown for number, _ in LoggingSmsBackend.sent)  # nobody texted the stranger
    sent_page = Client().post("/password/forgot/", {"action": "send", "phone": next_phone()})
    assert "如该手机号已注册，验证码已发送至" in sent_page.content.decode()


def test_it_limits_tries_per_client_address(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recovery, "ADDRESS_LIMIT", 3)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert _api(client, "/verify", {"phone": cast.worker_a.phone, "code": "123456"}).status_code == 400
    refused = _api(client, "/verify", {"phone": cast.worker_a.phone, "code": "123456"})
    assert refused.status_code == 429 and "当前网络" in refused.json()["message"]
    web = client.post("/password/forgot/", {"phone": cast.worker_a.phone, "code": "123456"})
    assert web.status_code == 429
    assert AuditLog.objects.filter(action="account.password_reset", result="denied", detail__reason="throttled",
                                   user=cast.worker_a).count() == 2
    other = Client(REMOTE_ADDR="198.51.100.2")
    assert _api(other, "/verify", {"phone": cast.worker_a.phone, "code": "123456"}).status_code == 400


def test_it_gives_up_a_code_after_five_wrong_tries(cast: Cast) -> None:
    client = Client()
    code = texted(lambda: _api(client, "/code", {"phone": cast.worker_a.phone}), cast.worker_a.phone)
    for _ in range(5):
        _api(client, "/verify", {"phone": cast.worker_a.phone, "code": _wrong(code)})
    last = _api(client, "/verify", {"phone": cast.worker_a.phone, "code": code})
    assert last.status_code == 400 and last.json()["code"] == "code_exhausted"


def test_it_refuses_bad_input_in_chinese() -> None:
    bad_phone = _api(Client(), "/code", {"phone": "12345"})
    assert bad_phone.status_code == 400 and "手机号码格式不正确" in bad_phone.json()["message"]
    page = Client().post("/password/forgot/", {"phone": "", "code": ""})
    assert page.status_code == 200 and "请填写短信验证码" in page.content.decode()
    no_ticket = Client().get("/password/reset/")
    assert no_ticket.status_code == 302 and no_ticket["Location"] == "/password/forgot/"


def test_it_clears_the_lockout_of_the_account(cast: Cast) -> None:
    phone = cast.worker_a.phone
    for _ in range(5):
        Client().post("/login/", {"phone": phone, "password": "wrong-password"})
    assert Client().post("/login/", {"phone": phone, "password": PASSWORD}).status_code == 403
    client = Client()
    code = texted(lambda: _api(client, "/code", {"phone": phone}), phone)
    ticket = _api(client, "/verify", {"phone": phone, "code": code}).json()["ticket"]
    assert _api(client, "", {"ticket": ticket, "new_password": NEW}).status_code == 204
    assert not AccessAttempt.objects.exists()
    assert Client().post("/login/", {"phone": phone, "password": NEW}).status_code == 302


def test_it_applies_the_staff_password_rules_once_the_phone_is_proven(cast: Cast) -> None:
    officer, client = cast.district_a_officer, Client()
    code = texted(lambda: _api(client, "/code", {"phone": officer.phone}), officer.phone)
    ticket = _api(client, "/verify", {"phone": officer.phone, "code": code}).json()["ticket"]
    weak = _api(client, "", {"ticket": ticket, "new_password": "alllowercase", "otp": otp_code(officer)})
    assert weak.status_code == 400 and "3类" in weak.json()["message"]


def test_staff_who_have_not_enrolled_yet_reset_with_the_code_alone(cast: Cast) -> None:
    from gonghui.accounts.models import SecondFactor

    officer, client = cast.district_a_officer, Client()
    SecondFactor.objects.filter(user=officer).delete()
    code = texted(lambda: _api(client, "/code", {"phone": officer.phone}), officer.phone)
    verified = _api(client, "/verify", {"phone": officer.phone, "code": code}).json()
    assert verified["otp_required"] is False
    assert _api(client, "", {"ticket": verified["ticket"], "new_password": "Another#Strong2026"}).status_code == 204
    officer.refresh_from_db()
    assert officer.check_password("Another#Strong2026")


# --- The second factor hook (gonghui.accounts.second_factor, written by the TOTP work) --------------------


class FakeSecondFactor:
    """Stands in for gonghui.accounts.second_factor: enrolled users and their one right code."""

    def __init__(self) -> None:
        self.enrolled: set[int] = set()
        self.asked: list[tuple[int, str]] = []

    def module(self) -> types.ModuleType:
        module = types.ModuleType(recovery.SECOND_FACTOR_MODULE)
        module.requires_second_factor = lambda user: user.pk in self.enrolled  # type: ignore[attr-defined]
        module.verify_second_factor = self.verify  # type: ignore[attr-defined]
        return module

    def verify(self, user: User, code: str) -> bool:
        self.asked.append((user.pk, code))
        return code == "246810"


@pytest.fixture
def second_factor(monkeypatch: pytest.MonkeyPatch) -> FakeSecondFactor:
    fake = FakeSecondFactor()
    monkeypatch.setitem(sys.modules, recovery.SECOND_FACTOR_MODULE, fake.module())
    return fake


def _ticket(client: Client, phone: str) -> dict[str, Any]:
    code = texted(lambda: _api(client, "/code", {"phone": phone}), phone)
    return _api(client, "/verify", {"phone": phone, "code": code}).json()


def test_it_asks_enrolled_staff_for_their_second_factor(cast: Cast, second_factor: FakeSecondFactor) -> None:
    officer = cast.district_a_officer
    second_factor.enrolled.add(officer.pk)
    client = Client()
    body = _ticket(client, officer.phone)
    assert body["otp_required"] is True
    missing = _api(client, "", {"ticket": body["ticket"], "new_password": NEW})
    assert missing.status_code == 400 and missing.json()["code"] == "otp_required"
    wrong = _api(client, "", {"ticket": body["ticket"], "new_password": NEW, "otp": "111111"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_wrong"
    assert AuditLog.objects.filter(action="account.password_reset", result="denied", user=officer,
                                   detail__reason="otp_wrong").exists()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)  # nothing changed
    ok = _api(client, "", {"ticket": body["ticket"], "new_password": NEW, "otp": "246 810"})
    assert ok.status_code == 204
    assert second_factor.asked == [(officer.pk, "111111"), (officer.pk, "246810")]
    assert AuditLog.objects.get(action="account.password_reset", result="success").detail["second_factor"] is True


def test_it_shows_the_second_factor_field_on_the_web(cast: Cast, second_factor: FakeSecondFactor) -> None:
    admin = cast.district_a_admin
    second_factor.enrolled.add(admin.pk)
    client = Client()
    code = _web_code(client, admin.phone)
    assert client.post("/password/forgot/", {"phone": admin.phone, "code": code}).status_code == 302
    page = client.get("/password/reset/").content.decode()
    assert 'name="otp"' in page and "身份验证器动态码" in page
    refused = client.post("/password/reset/", {"new_password": NEW})
    assert refused.status_code == 200 and "请填写动态码" in refused.content.decode()
    assert client.post("/password/reset/", {"new_password": NEW, "otp": "246810"}).status_code == 302


@pytest.mark.parametrize(("name", "asked"), [
    ("province_admin", True), ("district_a_officer", True), ("city_officer", True),
    ("district_a_viewer", False), ("auditor", False), ("worker_a", False),
])
def test_it_asks_only_admins_and_officers(cast: Cast, second_factor: FakeSecondFactor, name: str,
                                          asked: bool) -> None:
    user = getattr(cast, name)
    second_factor.enrolled.add(user.pk)  # enrolled or not, only admins and officers are asked
    assert recovery.second_factor_required(user) is asked
    assert _ticket(Client(), user.phone)["otp_required"] is asked


def test_it_treats_a_superuser_as_staff(second_factor: FakeSecondFactor) -> None:
    root = User.objects.create_superuser(next_phone(), PASSWORD, name="平台运维")
    plain = make_user("普通职工")
    second_factor.enrolled.update({root.pk, plain.pk})
    assert recovery.is_privileged(root) and not recovery.is_privileged(plain)
    assert recovery.second_factor_required(root) and not recovery.second_factor_required(plain)


def test_it_asks_nothing_without_the_second_factor_module(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str, *args: Any) -> Any:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.delitem(sys.modules, recovery.SECOND_FACTOR_MODULE, raising=False)
    monkeypatch.setattr(recovery.importlib, "import_module", missing)
    assert recovery.second_factor_required(cast.province_admin) is False


def test_it_fails_closed_when_the_second_factor_module_is_broken(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str, *args: Any) -> Any:
        raise ModuleNotFoundError("No module named 'pyotp'", name="pyotp")

    monkeypatch.setattr(recovery.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        recovery.second_factor_required(cast.province_admin)
