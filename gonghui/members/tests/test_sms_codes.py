"""SMS verification codes: what is stored, single use, expiry, tries, rate limits, and registering."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from gonghui.accounts import verification
from gonghui.accounts.models import PhoneCode, User
from gonghui.accounts.verification import TooManyRequests, code_send, code_verify, user_register_with_code
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.core.notify import LoggingSmsBackend
from gonghui.lib import crypto
from gonghui.testing import PASSWORD, make_user, next_phone

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """timezone.now() under the test's control."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(verification.timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def sms(django_capture_on_commit_callbacks: Callable) -> Iterator[Callable[[str], str]]:
    """Send a code (delivered as after a commit) and return it as read from the SMS backend."""
    LoggingSmsBackend.sent.clear()

    def send(phone: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            code_send(phone=phone)
        return code_from(LoggingSmsBackend.sent[-1][1])

    yield send
    LoggingSmsBackend.sent.clear()


def code_from(text: str) -> str:
    found = re.search(r"验证码是(\d{6})", text)
    assert found, text
    return found.group(1)


def test_it_stores_only_the_phone_index_and_a_keyed_hash(sms: Callable[[str], str]) -> None:
    phone = next_phone()
    code = sms(f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")
    assert LoggingSmsBackend.sent[-1][0] == phone  # normalized before sending
    row = PhoneCode.objects.get()
    assert row.phone_index == crypto.blind_index("phone", phone)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_phonecode")
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert phone not in raw and code not in raw


def test_it_texts_the_code_only_after_commit(django_capture_on_commit_callbacks: Callable) -> None:
    LoggingSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        code_send(phone=next_phone())
    assert LoggingSmsBackend.sent == [] and len(callbacks) == 1


def test_it_accepts_a_code_once(sms: Callable[[str], str]) -> None:
    phone = next_phone()
    code = sms(phone)
    code_verify(phone=phone, code=code, purpose="register")
    with pytest.raises(ValidationFailed, match="重新获取"):
        code_verify(phone=phone, code=code, purpose="register")


def test_it_keeps_codes_apart_by_purpose(sms: Callable[[str], str]) -> None:
    phone = next_phone()
    code = sms(phone)
    with pytest.raises(ValidationFailed, match="已过期或未获取"):
        code_verify(phone=phone, code=code, purpose="password_reset")
    with pytest.raises(ValidationFailed, match="不支持"):
        code_send(phone=phone, purpose="anything")


def test_it_counts_wrong_tries_and_locks_the_code_after_five(sms: Callable[[str], str]) -> None:
    phone = next_phone()
    code = sms(phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationFailed, match="还可以再试4次"):
        code_verify(phone=phone, code=wrong, purpose="register")
    for _ in range(3):
        with pytest.raises(ValidationFailed, match="验证码不正确"):
            code_verify(phone=phone, code=wrong, purpose="register")
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        code_verify(phone=phone, code=wrong, purpose="register")
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        code_verify(phone=phone, code=code, purpose="register")  # even the right one, now
    assert PhoneCode.objects.get().attempts == 5


def test_it_refuses_an_expired_code(sms: Callable[[str], str], clock: Clock) -> None:
    phone = next_phone()
    code = sms(phone)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(ValidationFailed, match="已过期"):
        code_verify(phone=phone, code=code, purpose="register")


def test_it_only_honours_the_latest_code(sms: Callable[[str], str], clock: Clock) -> None:
    phone = next_phone()
    first = sms(phone)
    clock.advance(seconds=61)
    second = sms(phone)
    if first != second:
        with pytest.raises(ValidationFailed):
            code_verify(phone=phone, code=first, purpose="register")
    code_verify(phone=phone, code=second, purpose="register")


def test_it_sends_at_most_one_code_a_minute(sms: Callable[[str], str], clock: Clock) -> None:
    phone = next_phone()
    sms(phone)
    clock.advance(seconds=30)
    with pytest.raises(TooManyRequests, match=r"请\d+秒后再试") as caught:
        code_send(phone=phone)
    assert caught.value.status == 429 and 29 <= caught.value.detail["wait"] <= 31
    clock.advance(seconds=31)
    sms(phone)
    assert PhoneCode.objects.count() == 2


def test_it_sends_at_most_ten_codes_a_day(sms: Callable[[str], str], clock: Clock) -> None:
    phone = next_phone()
    for _ in range(10):
        sms(phone)
        clock.advance(minutes=2)
    with pytest.raises(TooManyRequests, match="今日获取验证码已达10次"):
        code_send(phone=phone)
    clock.now = datetime(2026, 3, 4, 0, 1, tzinfo=SHANGHAI)  # a new day in Shanghai
    sms(phone)


def test_it_refuses_registration_codes_for_registered_phones() -> None:
    user = make_user("已注册")
    with pytest.raises(Conflict, match="已注册"):
        code_send(phone=user.phone)
    with pytest.raises(ValidationFailed, match="手机号码格式不正确"):
        code_send(phone="12345")


def test_it_does_not_spend_the_code_on_a_weak_password(sms: Callable[[str], str]) -> None:
    phone = next_phone()
    code = sms(phone)
    with pytest.raises(ValidationFailed, match="密码至少8位"):
        user_register_with_code(phone=phone, code=code, name="张三", password="short")
    user = user_register_with_code(phone=phone, code=code, name="张三", password=PASSWORD)
    assert user.check_password(PASSWORD) and User.objects.by_phone(phone).get() == user
    assert AuditLog.objects.filter(action="account.phone_verified", user=user).exists()


def test_it_registers_through_the_api(django_capture_on_commit_callbacks: Callable) -> None:
    LoggingSmsBackend.sent.clear()
    client, phone = Client(), next_phone()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/members/sms-code", {"phone": phone}, content_type="application/json")
    assert response.status_code == 202 and response.json() == {"expires_in": 600, "resend_after": 60}
    code = code_from(LoggingSmsBackend.sent[-1][1])

    again = client.post("/api/v1/members/sms-code", {"phone": phone}, content_type="application/json")
    assert again.status_code == 429 and "秒后再试" in again.json()["message"]

    body = {"phone": phone, "code": "000000" if code != "000000" else "111111", "name": "李四", "password": PASSWORD}
    wrong = client.post("/api/v1/members/join/register", body, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "code_wrong"

    ok = client.post("/api/v1/members/join/register", {**body, "code": code, "device": "测试手机"},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    data = ok.json()
    assert data["name"] == "李四" and data["phone"] == f"{phone[:3]}****{phone[-4:]}"
    me = Client(headers={"Authorization": f"Bearer {data['token']}"}).get("/api/v1/accounts/me")
    assert me.status_code == 200 and me.json()["uuid"] == data["user"]


def test_it_counts_the_day_in_shanghai_time(sms: Callable[[str], str], clock: Clock) -> None:
    # The daily limit resets at midnight in Shanghai, not at midnight UTC.
    phone = next_phone()
    clock.now = datetime(2026, 3, 3, 15, 0, tzinfo=ZoneInfo("UTC"))  # 23:00 in Shanghai
    for _ in range(10):
        sms(phone)
        clock.advance(minutes=2)
    clock.now = datetime(2026, 3, 3, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 4th in Shanghai
    sms(phone)
    assert timezone.localdate(clock.now).day == 4
