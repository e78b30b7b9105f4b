"""SMS verification codes (短信验证码), and the account changes that need one: registering and
changing the phone number. (Resetting a forgotten password is in recovery.py, on top of this.)

This module is the only place an account is created for a member of the public: the creating function
(``_user_create``) is private and is reached only through ``user_register_with_code``, after a code
sent to that phone was checked. No other path (the H5 register page, joining, the API) can create an
account for an unverified phone. Staff accounts are created by an administrator (services.staff_assign)
and the operator's ``createadmin`` command, which are not self-service.

A code is 6 random digits, valid for 10 minutes, good for one successful check and at most 5 tries.
Only the phone's blind index and a keyed hash of the code are stored (PhoneCode), so neither the
phone nor a usable code can be read from the database. Sending is limited per phone: one code per
60 seconds and 10 per calendar day (Asia/Shanghai), and per client address (core.ratelimit, read from
the audit context: the address of the request that asked) at most ``IP_SEND_LIMIT`` codes an hour, so a
script cannot text thousands of numbers from one machine. The address limit is generous on purpose:
couriers share carrier NAT addresses by the thousand.

The text goes out through the configured SMS backend after the transaction commits; the default
backend only logs it, which is how development and demo systems read their codes.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.core import audit, context, ratelimit
from gonghui.core.errors import Conflict, Forbidden, TooManyRequests, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.models import AuditResult
from gonghui.core.notify import send_sms
from gonghui.core.validation import clean_person_name, clean_phone
from gonghui.lib import crypto
from gonghui.lib.masking import mask_phone

from .models import PhoneCode, User
from .services import password_check

__all__ = ["CODE_TTL", "RESEND_INTERVAL", "TooManyRequests", "code_send", "code_verify", "phone_change",
           "phone_change_code_send", "user_register_with_code"]

CODE_TTL = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10
MAX_ATTEMPTS = 5
IP_SEND_LIMIT = 60  # codes per client address per hour, all phones and purposes together
IP_SEND_WINDOW = 3600
PURPOSES = {"register": "注册", "password_reset": "找回密码", "phone_change": "更换手机号", "claim": "实名认证"}
# What anyone may ask code_send for; phone_change and claim codes are asked for by the signed-in user
# (phone_change_code_send, account_code_send), so that they are bound to an account.
PUBLIC_PURPOSES = ("register", "password_reset")


def _phone_index(normalized: str) -> str:
    index = lookup_index(User, "phone_index", normalized)
    assert index is not None  # the phone was normalized just before
    return index


def _code_hash(phone_index: str, purpose: str, code: str) -> str:
    # Keyed (FIELD_HASH_KEY) and bound to the phone and purpose: with only a million possible codes,
    # a plain hash could be reversed by trying them all.
    return crypto.blind_index("sms-code", f"{phone_index}\x1f{purpose}\x1f{code}")


def _check_purpose(purpose: str, allowed: tuple[str, ...] = PUBLIC_PURPOSES) -> None:
    if purpose not in allowed:
        raise ValidationFailed("不支持的验证码用途", detail={"purpose": "不支持的验证码用途"})


def _lock_phone(phone_index: str) -> None:
    """Serialize senders for one phone, so two quick taps cannot both pass the rate limit.

    SQLite runs write transactions one at a time already (IMMEDIATE); PostgreSQL needs a lock, and
    there is no row to lock before the first code exists.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"phonecode:{phone_index}"])


def _limit_address(action: str, *, limit: int, window: int, message: str) -> None:
    """Count one ``action`` from the current client address (core.ratelimit); refused past ``limit``.

    Outside a request (a command, a test calling the service) there is no address and no limit."""
    ip = context.current().ip
    if ip:
        ratelimit.hit(f"accounts.{action}:{ip}", limit=limit, window=window, message=message)


def _send(*, normalized: str, index: str, purpose: str, deliver: bool = True) -> PhoneCode:
    """Store a code for the phone and (``deliver``) text it after commit, within the rate limits.

    ``deliver=False`` stores the row without texting anyone: the password reset of a phone without an
    account goes through exactly the same limits and answers as one with an account (see code_send).
    """
    _limit_address("code_send", limit=IP_SEND_LIMIT, window=IP_SEND_WINDOW,
                   message="当前网络获取验证码过于频繁，请稍后再试")
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
        if deliver:
            minutes = int(CODE_TTL.total_seconds() // 60)
            send_sms(normalized, f"【工会】您的{PURPOSES[purpose]}验证码是{code}，{minutes}分钟内有效。"
                                 "请勿告诉他人，如非本人操作请忽略本短信。")
    return row


def code_send(*, phone: str, purpose: str = "register") -> PhoneCode:
    """Generate a code for ``phone`` and text it (after commit). ``purpose``: register or password_reset.

    Registering: Conflict when the phone already has an account (the page then offers to sign in).
    Password reset: never tells whether the phone has an account — a phone without an (active) account
    gets a code row counted against the same limits, but no text, so the answer, the rate limits and
    the time taken are the same either way.

    Raises ValidationFailed for a malformed phone or purpose, TooManyRequests (429) past the limits.
    """
    _check_purpose(purpose)
    normalized = clean_phone(phone)
    index = _phone_index(normalized)
    deliver = True
    if purpose == "register" and User.objects.filter(phone_index=index).exists():
        raise Conflict("该手机号已注册，请直接登录", code="phone_taken")
    if purpose == "password_reset":
        deliver = User.objects.filter(phone_index=index, is_active=True).exists()
    return _send(normalized=normalized, index=index, purpose=purpose, deliver=deliver)


def account_code_send(*, user: User, purpose: str) -> PhoneCode:
    """Text a code to the signed-in ``user``'s own phone, for what only the account may ask for
    (``claim``: 实名认证绑定), within the same limits as every other code."""
    _check_purpose(purpose, ("claim",))
    normalized = clean_phone(user.phone)
    return _send(normalized=normalized, index=_phone_index(normalized), purpose=purpose)


def code_verify(*, phone: str, code: str, purpose: str) -> None:
    """Check the latest live code for ``phone`` and ``purpose``, and use it up.

    Raises ValidationFailed for a wrong, expired or exhausted code. Preconditions: not called inside
    a transaction the caller rolls back on failure, or a wrong try would not be counted.
    """
    _check_purpose(purpose, tuple(PURPOSES))
    index = _phone_index(clean_phone(phone))
    code = "".join((code or "").split())
    now = timezone.now()
    row = (PhoneCode.objects.filter(phone_index=index, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
           .order_by("-created_at").first())
    # The field's own message is the whole reason: the form shows it under the code box.
    def refused(message: str, code: str) -> ValidationFailed:
        return ValidationFailed(message, code=code, detail={"code": message})

    exhausted = refused("验证码错误次数过多，请重新获取", "code_exhausted")
    if row is None:
        raise refused("验证码已过期或未获取，请重新获取", "code_expired")
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
        raise refused(f"验证码不正确，还可以再试{left}次", "code_wrong")
    if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise refused("验证码已使用，请重新获取", "code_used")


def _user_create(*, phone: str, name: str, password: str) -> User:
    """Create a worker's account. Private: only after the phone was proven by a code (below)."""
    user = User(phone=phone, name=name)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict("该手机号已注册，请直接登录", code="phone_taken") from None
    audit.record("account.register", actor=user, obj=user)
    return user


def user_register_with_code(*, phone: str, code: str, name: str, password: str) -> User:
    """A worker creates an account after proving the phone is theirs with an SMS code.

    The one way a member of the public gets an account (the H5 register page, joining and the API
    register all call this). Everything that can be checked without the code is checked first, so a
    weak password does not use up the code. Preconditions as for ``code_verify``.
    """
    normalized = clean_phone(phone)
    if User.objects.by_phone(normalized).exists():
        raise Conflict("该手机号已注册，请直接登录", code="phone_taken")
    name = clean_person_name(name)
    password_check(password, User(phone=normalized, name=name))
    if not "".join((code or "").split()):
        raise ValidationFailed("请填写短信验证码", detail={"code": "请填写短信验证码"})
    code_verify(phone=normalized, code=code, purpose="register")
    user = _user_create(phone=normalized, name=name, password=password)
    audit.record("account.phone_verified", actor=user, obj=user, detail={"purpose": "register"})
    return user


# --- Changing the phone number --------------------------------------------------------------------------

PHONE_CHANGE_LIMIT = 10  # password or code checks per account per hour
PHONE_CHANGE_WINDOW = 3600


def _new_phone(user: User, phone: str) -> tuple[str, str]:
    normalized = clean_phone(phone)
    index = _phone_index(normalized)
    if index == user.phone_index:
        raise ValidationFailed("新手机号与当前手机号相同", detail={"phone": "新手机号与当前手机号相同"})
    if User.objects.filter(phone_index=index).exclude(pk=user.pk).exists():
        raise Conflict("该手机号已被其他账号使用", code="phone_taken", detail={"phone": "该手机号已被其他账号使用"})
    return normalized, index


def phone_change_code_send(*, user: User, phone: str) -> PhoneCode:
    """Text a phone_change code to the new number ``phone`` for the signed-in ``user``.

    Raises ValidationFailed (malformed, or the current number), Conflict (another account's number),
    TooManyRequests (the code limits)."""
    normalized, index = _new_phone(user, phone)
    return _send(normalized=normalized, index=index, purpose="phone_change")


def phone_change(*, user: User, phone: str, code: str, password: str) -> User:
    """The signed-in ``user`` moves their account to the new number ``phone``.

    They confirm with their password (a borrowed, still signed-in phone must not be enough to take the
    account over) and the code texted to the new number. The encrypted phone and its blind index (the
    login name) change together, which frees the old number for another account; the old number gets a
    text saying so, the change is audited, refusals too. Limited to PHONE_CHANGE_LIMIT tries an hour.
    """
    try:
        ratelimit.hit(f"accounts.phone_change:{user.pk}", limit=PHONE_CHANGE_LIMIT, window=PHONE_CHANGE_WINDOW,
                      message="更换手机号尝试次数过多，请1小时后再试")
        normalized, _index = _new_phone(user, phone)
        if not user.check_password(password or ""):
            raise Forbidden("登录密码不正确", code="password_wrong", detail={"password": "登录密码不正确"})
        code_verify(phone=normalized, code=code, purpose="phone_change")
    except (ValidationFailed, Conflict, Forbidden, TooManyRequests) as exc:
        audit.record("account.phone_change", actor=user, obj=user, result=AuditResult.DENIED,
                     detail={"reason": exc.code})
        raise
    old_phone = user.phone
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.phone = normalized
        try:
            with transaction.atomic():
                locked.save(update_fields=["phone", "phone_index"])
        except IntegrityError:
            raise Conflict("该手机号已被其他账号使用", code="phone_taken") from None
        audit.record("account.phone_change", actor=locked, obj=locked,
                     detail={"from": mask_phone(old_phone), "to": mask_phone(normalized)})
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        send_sms(old_phone, f"【工会】您的工会账号已于{when}将登录手机号更换为{mask_phone(normalized)}，"
                            "本号码不再用于登录。如非本人操作，请立即联系所在工会。")
    user.phone = locked.phone
    user.phone_index = locked.phone_index
    return user
