"""SMS verification codes (短信验证码) and registering with one.

A code is 6 random digits, valid for 10 minutes, good for one successful check and at most 5 tries.
Only the phone's blind index and a keyed hash of the code are stored (PhoneCode), so neither the
phone nor a usable code can be read from the database. Sending is limited per phone: one code per
60 seconds and 10 per calendar day (Asia/Shanghai).

The text goes out through the configured SMS backend after the transaction commits; the default
backend only logs it, which is how development and demo systems read their codes.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, time, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, DomainError, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.notify import send_sms
from gonghui.core.validation import clean_person_name
from gonghui.lib import crypto
from gonghui.lib.phone import InvalidPhone, normalize_phone

from .models import PhoneCode, User
from .services import user_register

CODE_TTL = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10
MAX_ATTEMPTS = 5
PURPOSES = {"register": "注册", "password_reset": "找回密码", "claim": "实名认证"}


class TooManyRequests(DomainError):
    status = 429
    code = "throttled"
    default_message = "请求过于频繁，请稍后再试"


def _normalized(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), detail={"phone": str(exc)}) from None


def _phone_index(normalized: str) -> str:
    index = lookup_index(User, "phone_index", normalized)
    assert index is not None  # the phone was normalized just before
    return index


def _code_hash(phone_index: str, purpose: str, code: str) -> str:
    # Keyed (FIELD_HASH_KEY) and bound to the phone and purpose: with only a million possible codes,
    # a plain hash could be reversed by trying them all.
    return crypto.blind_index("sms-code", f"{phone_index}\x1f{purpose}\x1f{code}")


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValidationFailed("不支持的验证码用途", detail={"purpose": "不支持的验证码用途"})


def _lock_phone(phone_index: str) -> None:
    """Serialize senders for one phone, so two quick taps cannot both pass the rate limit.

    SQLite runs write transactions one at a time already (IMMEDIATE); PostgreSQL needs a lock, and
    there is no row to lock before the first code exists.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"phonecode:{phone_index}"])


def code_send(*, phone: str, purpose: str = "register") -> PhoneCode:
    """Generate a code for ``phone`` and text it (after commit).

    Raises ValidationFailed for a malformed phone or purpose, Conflict when registering a phone that
    already has an account, TooManyRequests (429) past the rate limits.
    """
    _check_purpose(purpose)
    normalized = _normalized(phone)
    index = _phone_index(normalized)
    if purpose == "register" and User.objects.filter(phone_index=index).exists():
        raise Conflict("该手机号已注册，请直接登录", code="phone_taken")
    now = timezone.now()
    day_start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        _lock_phone(index)
        sent = PhoneCode.objects.filter(phone_index=index)
        latest = sent.order_by("-created_at").values_list("created_at", flat=True).first()
        if latest is not None and now - latest < RESEND_INTERVAL:
            wait = int((RESEND_INTERVAL - (now - latest)).total_seconds()) + 1
            raise TooManyRequests(f"验证码发送过于频繁，请{wait}秒后再试", detail={"wait": wait})
        if sent.filter(created_at__gte=day_start).count() >= DAILY_LIMIT:
            raise TooManyRequests(f"该手机号今日获取验证码已达{DAILY_LIMIT}次，请明天再试",
                                  code="daily_limit")
        row = PhoneCode.objects.create(phone_index=index, purpose=purpose, code_hash=_code_hash(index, purpose, code),
                                       created_at=now, expires_at=now + CODE_TTL)
        minutes = int(CODE_TTL.total_seconds() // 60)
        send_sms(normalized, f"【工会】您的{PURPOSES[purpose]}验证码是{code}，{minutes}分钟内有效。"
                             "请勿告诉他人，如非本人操作请忽略本短信。")
    return row


def code_verify(*, phone: str, code: str, purpose: str) -> None:
    """Check the latest live code for ``phone`` and ``purpose``, and use it up.

    Raises ValidationFailed for a wrong, expired or exhausted code. Preconditions: not called inside
    a transaction the caller rolls back on failure, or a wrong try would not be counted.
    """
    _check_purpose(purpose)
    index = _phone_index(_normalized(phone))
    code = "".join((code or "").split())
    now = timezone.now()
    row = (PhoneCode.objects.filter(phone_index=index, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
           .order_by("-created_at").first())
    again = {"code": "请重新获取验证码"}
    exhausted = ValidationFailed("验证码错误次数过多，请重新获取", code="code_exhausted", detail=again)
    if row is None:
        raise ValidationFailed("验证码已过期或未获取，请重新获取", code="code_expired", detail=again)
    if row.attempts >= MAX_ATTEMPTS:
        raise exhausted
    # Count the try first, guarded, so parallel guesses cannot exceed the limit.
    counted = PhoneCode.objects.filter(pk=row.pk, attempts__lt=MAX_ATTEMPTS, used_at__isnull=True).update(
        attempts=F("attempts") + 1)
    if not counted:
        raise exhausted
    if not (len(code) == 6 and hmac.compare_digest(_code_hash(index, purpose, code), row.code_hash)):
        left = MAX_ATTEMPTS - row.attempts - 1
        if left <= 0:
            raise exhausted
        raise ValidationFailed(f"验证码不正确，还可以再试{left}次", code="code_wrong", detail={"code": "验证码不正确"})
    if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise ValidationFailed("验证码已使用，请重新获取", code="code_used", detail=again)


def user_register_with_code(*, phone: str, code: str, name: str, password: str) -> User:
    """A worker creates an account after proving the phone is theirs with an SMS code.

    Everything that can be checked without the code is checked first, so a weak password does not
    use up the code. Preconditions as for ``code_verify``.
    """
    normalized = _normalized(phone)
    if User.objects.by_phone(normalized).exists():
        raise Conflict("该手机号已注册，请直接登录", code="phone_taken")
    name = clean_person_name(name)
    try:
        validate_password(password, User(phone=normalized, name=name))
    except ValidationError as exc:
        message = "；".join(exc.messages)
        raise ValidationFailed(message, detail={"password": message}) from None
    code_verify(phone=normalized, code=code, purpose="register")
    user = user_register(phone=normalized, name=name, password=password)
    audit.record("account.phone_verified", actor=user, obj=user, detail={"purpose": "register"})
    return user

