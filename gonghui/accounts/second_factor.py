"""The staff second factor (等保 2.0 三级 身份鉴别): a TOTP authenticator (RFC 6238, pyotp) and ten
one-time recovery codes.

Who must pass it: superusers, and staff holding a role in ``settings.SECOND_FACTOR_ROLES`` (default
admin and officer); a staff user who enrolled anyway must pass it too. The secret is stored encrypted
(EncryptedTextField), recovery codes only as a keyed hash. A code is accepted once: the accepted time
step is written with a guarded update, so a replayed or concurrently submitted code fails. Guessing is
throttled per account (SECOND_FACTOR_MAX_FAILURES failures lock the factor for SECOND_FACTOR_LOCK), on
top of django-axes, which the sign-in views also feed with each wrong code.

The session side: the sign-in views keep a password-checked user *pending* (not signed in) until the code
passes, then mark the session (``mark_session_verified``); SecondFactorMiddleware refuses any signed-in
session of such a user that lacks the mark.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, Forbidden, TooManyRequests, ValidationFailed
from gonghui.core.models import AuditResult
from gonghui.core.scope import Role, scope_of
from gonghui.lib import crypto

from .models import RecoveryCode, SecondFactor, User

STEP = 30  # seconds per TOTP code (what every authenticator app uses)
DIGITS = 6
WINDOW = 1  # accept the previous and the next step too: phone clocks drift
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper

SESSION_VERIFIED = "gonghui_2fa_user"  # the pk of the user whose second factor this session passed
SESSION_PENDING = "gonghui_2fa_pending"  # {"user": pk, "at": epoch, "next": url}: password passed, code due
PENDING_TTL = 600  # seconds between the password and the code step

THROTTLED = "验证码错误次数过多，请15分钟后再试"


def required_roles() -> frozenset[Role]:
    return frozenset(Role(role) for role in settings.SECOND_FACTOR_ROLES)


def _role_requires(user: Any) -> bool:
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    wanted = required_roles()
    return any(grant.role in wanted for grant in scope.grants)


def _confirmed(user: Any) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def is_enrolled(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and SecondFactor.objects.filter(
        user=user, confirmed_at__isnull=False).exists()


def requires_second_factor(user: Any) -> bool:
    """Whether ``user`` must pass a second factor to sign in: a superuser, a staff user with a role in
    SECOND_FACTOR_ROLES (who must enrol if not enrolled yet), or a staff user who has an enrolled
    authenticator. Plain workers never do (and cost no query: their scope is empty)."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    if _role_requires(user):
        return True
    return scope_of(user).is_staff and is_enrolled(user)


def must_enrol(user: Any) -> bool:
    """Required to pass a second factor but has no confirmed authenticator yet."""
    return requires_second_factor(user) and not is_enrolled(user)


# --- codes ----------------------------------------------------------------------------------------------------


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").strip().lower() if ch.isalnum())[:32]


def _recovery_hash(code: str) -> str:
    return crypto.blind_index("recovery_code", _normalize(code))


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (within ±WINDOW of now) whose code is ``code``, or None."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    current = int((now if now is not None else time.time()) // STEP)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _check_throttle(device: SecondFactor) -> None:
    if device.locked_until is not None and device.locked_until > timezone.now():
        raise TooManyRequests(THROTTLED, code="second_factor_throttled")


def _fail(device: SecondFactor) -> None:
    """Count a wrong code; the SECOND_FACTOR_MAX_FAILURES-th locks the factor for SECOND_FACTOR_LOCK."""
    SecondFactor.objects.filter(pk=device.pk).update(failures=F("failures") + 1)
    device.refresh_from_db(fields=["failures"])
    if device.failures >= settings.SECOND_FACTOR_MAX_FAILURES:
        SecondFactor.objects.filter(pk=device.pk).update(
            failures=0, locked_until=timezone.now() + settings.SECOND_FACTOR_LOCK)


def _accept_step(device: SecondFactor, step: int) -> bool:
    """Record ``step`` as used, once: a replay (the same or an older step) updates nothing."""
    now = timezone.now()
    return SecondFactor.objects.filter(pk=device.pk, last_step__lt=step).update(
        last_step=step, last_used_at=now, failures=0, locked_until=None) == 1


@dataclass(frozen=True)
class Verdict:
    ok: bool
    method: str = ""  # "totp" or "recovery"


def check_second_factor(user: Any, code: str) -> Verdict:
    """Like verify_second_factor, and says which kind of code passed."""
    device = _confirmed(user)
    if device is None:
        return Verdict(False)
    _check_throttle(device)
    code = _normalize(code)
    if not code:
        return Verdict(False)
    step = _matching_step(device.secret, code)
    if step is not None and _accept_step(device, step):
        return Verdict(True, "totp")
    if step is None and len(code) != DIGITS:
        used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
            used_at=timezone.now())
        if used == 1:
            SecondFactor.objects.filter(pk=device.pk).update(failures=0, locked_until=None,
                                                              last_used_at=timezone.now())
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record("auth.recovery_code_used", actor=user, obj=user, detail={"left": left})
            return Verdict(True, "recovery")
    _fail(device)
    return Verdict(False)


def verify_second_factor(user: Any, code: str) -> bool:
    """Whether ``code`` is a current TOTP code of ``user``'s confirmed authenticator (not used before) or
    one of their unused recovery codes (which it uses up).

    A wrong code counts towards the per-account throttle; raises TooManyRequests (429) while the factor is
    locked after too many wrong codes. False for a user without a confirmed authenticator. The caller
    audits the sign-in and feeds django-axes; this only records using a recovery code.
    """
    return check_second_factor(user, code).ok


# --- enrolment ------------------------------------------------------------------------------------------------


def enrolment_start(user: User) -> SecondFactor:
    """The user's unconfirmed authenticator, with a fresh secret if there is none yet.

    Raises Conflict when an authenticator is already bound (a superuser resets a lost one).
    """
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise Conflict("已绑定身份验证器；如手机丢失，请联系系统管理员重置", code="second_factor_enrolled")
        if device is None:
            device = SecondFactor.objects.create(user=user, secret=pyotp.random_base32(32))
    return device


def provisioning_uri(device: SecondFactor) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (the account shown masked)."""
    return pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=device.user.masked_phone, issuer_name=settings.SECOND_FACTOR_ISSUER)


def grouped_secret(device: SecondFactor) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(device.secret[i:i + 4] for i in range(0, len(device.secret), 4))


def recovery_codes_issue(user: User) -> list[str]:
    """Replace the user's recovery codes by ten new ones; returns them (the only time they are seen)."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def enrolment_confirm(user: User, code: str) -> list[str] | None:
    """Bind the pending authenticator if ``code`` is its current code; returns the ten recovery codes
    (shown once), or None for a wrong code (throttled like sign-in codes)."""
    device = SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise Conflict("请重新开始绑定身份验证器", code="second_factor_not_started")
    _check_throttle(device)
    step = _matching_step(device.secret, _normalize(code))
    if step is None:
        _fail(device)
        return None
    with transaction.atomic():
        confirmed = SecondFactor.objects.filter(pk=device.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), last_step=step, last_used_at=timezone.now(), failures=0,
            locked_until=None)
        if not confirmed:
            raise Conflict("身份验证器已绑定", code="second_factor_enrolled")
        codes = recovery_codes_issue(user)
        audit.record("auth.second_factor_enrol", actor=user, obj=user, union=_home_union(user))
    return codes


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_regenerate(user: User, code: str) -> list[str]:
    """The signed-in user replaces their recovery codes (some used, or the paper lost): only with a current
    code from the authenticator itself — a recovery code cannot mint new ones, nor can a session left open.
    The old codes stop working at once; returns the ten new ones (shown once). Wrong codes count towards the
    throttle like sign-in codes; refused attempts and the regeneration are audited."""
    device = _confirmed(user)
    if device is None:
        raise Conflict("您还没有绑定身份验证器", code="second_factor_not_enrolled")
    _check_throttle(device)
    step = _matching_step(device.secret, _normalize(code))
    if step is None or not _accept_step(device, step):
        if step is None:
            _fail(device)
        audit.record("auth.recovery_codes_regenerate", actor=user, obj=user, union=_home_union(user),
                     result=AuditResult.DENIED, detail={"reason": "wrong_code" if step is None else "replayed"})
        raise ValidationFailed("动态验证码不正确：请输入身份验证器上当前显示的6位数字（恢复码不能用于此操作）",
                               code="second_factor_failed", detail={"code": "动态验证码不正确"})
    with transaction.atomic():
        codes = recovery_codes_issue(user)
        audit.record("auth.recovery_codes_regenerate", actor=user, obj=user, union=_home_union(user))
    return codes


def enrol_with_secret(user: User, secret: str) -> SecondFactor:
    """Bind an authenticator with a known secret at once (the demo and the test cast; never in production),
    replacing any the user had."""
    pyotp.TOTP(secret).now()  # a bad base32 secret fails here, not at sign-in
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).delete()
        return SecondFactor.objects.create(user=user, secret=secret, confirmed_at=timezone.now())


def reset_second_factor(actor: Any, user: User) -> None:
    """A superuser removes ``user``'s authenticator and recovery codes (a lost phone); the user enrols again
    at the next sign-in. Anyone else is refused (Forbidden), and the refusal is audited too."""
    if not getattr(actor, "is_superuser", False):
        audit.record("auth.second_factor_reset", actor=actor, obj=user, union=_home_union(user),
                     result=AuditResult.DENIED)
        raise Forbidden("只有系统超级管理员可以重置他人的双因素认证")
    with transaction.atomic():
        removed, _ = SecondFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("auth.second_factor_reset", actor=actor, obj=user, union=_home_union(user),
                     detail={"had_device": bool(removed), "user": str(user.uuid)})


def _home_union(user: Any) -> Any:
    from .signals import home_union

    return home_union(user)


# --- the session ---------------------------------------------------------------------------------------------


def mark_session_verified(session: Any, user: Any) -> None:
    session[SESSION_VERIFIED] = user.pk
    session.pop(SESSION_PENDING, None)


def session_verified(session: Any, user: Any) -> bool:
    return session.get(SESSION_VERIFIED) == user.pk


def set_pending(session: Any, user: Any, next_url: str = "") -> None:
    session[SESSION_PENDING] = {"user": user.pk, "at": int(time.time()), "next": next_url}


def pending_user(session: Any) -> tuple[User | None, str]:
    """The user whose password passed and whose code is due (None when none, or it is too old), and the
    page they were going to."""
    pending = session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None, ""
    if time.time() - pending.get("at", 0) > PENDING_TTL:
        session.pop(SESSION_PENDING, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, str(pending.get("next") or "")
