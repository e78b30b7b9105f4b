"""忘记密码: resetting a forgotten password with an SMS code to the account's verified phone.

Two steps, on the web and the API alike:

1. ``code_send(phone=…, purpose="password_reset")`` (verification.py) texts a code — or, for a phone
   without an account, silently does not, with the same answer and limits.
   ``password_reset_verify(phone=…, code=…)`` checks it and returns a ``ResetTicket``: a signed token
   good for ``TICKET_AGE`` and for one reset only (it is bound to the current password hash, so it
   dies when the password changes), and whether the account also needs its second factor.
2. ``password_reset_complete(ticket=…, new_password=…, otp=…)`` sets the password, ends every
   session (Django drops a session whose password hash no longer matches), revokes every API
   token, clears the account's failed sign-ins (django-axes) and writes the audit row.

Answers never tell whether a phone has an account: a phone without one fails step 1 exactly like a
wrong code (its code was never texted). Step 2's rules (staff passwords are stricter) are applied
only once the phone was proven. Every step counts against the client address (core.ratelimit,
``ADDRESS_LIMIT`` an hour) on top of the code's own limits (5 tries, 60 s, 10 a day); refusals
and successes are audited as ``account.password_reset``.

The second factor (the contract with gonghui/accounts/second_factor.py)
-----------------------------------------------------------------------
Staff — a superuser, or anyone with an admin or officer StaffAssignment (``is_privileged``) — must
also pass their second factor. This module does not implement it; it calls, lazily, two functions of
``gonghui.accounts.second_factor`` when that module exists:

- ``requires_second_factor(user) -> bool``: True when ``user`` has a factor they must use (enrolled,
  or required by the operator's setting). Only asked for privileged users.
- ``verify_second_factor(user, code: str) -> bool``: True when ``code`` (a TOTP code or a one-time
  recovery code) is right for ``user``; the module does its own counting/rate limiting and auditing
  of the factor itself. It must not raise for a wrong code (return False).

Without that module (``ModuleNotFoundError`` for exactly that name) no second factor is enrolled
anywhere and none is asked. Any other import error propagates — a broken second-factor module fails
closed, not open.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from django.core import signing
from django.db import transaction
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.models import AuditResult
from gonghui.core.scope import Role
from gonghui.core.validation import clean_phone
from gonghui.lib.masking import mask_phone

from .models import ApiToken, StaffAssignment, User
from .services import password_check
from .signals import home_union
from .verification import _limit_address, code_verify

SECOND_FACTOR_MODULE = "gonghui.accounts.second_factor"
TICKET_AGE = 600  # seconds between proving the phone and setting the password
TICKET_SALT = "gonghui.accounts.password_reset"
ADDRESS_LIMIT = 30  # verify and complete steps per client address per hour
ADDRESS_WINDOW = 3600
EXPIRED = "重置密码的操作已超时或已完成，请重新获取验证码"


@dataclass(frozen=True)
class ResetTicket:
    token: str
    otp_required: bool
    expires_in: int = TICKET_AGE


def is_privileged(user: User) -> bool:
    """Staff whose password alone must not be enough to take the account: a superuser, or an admin or
    officer at any union."""
    if user.is_staff:
        return True
    return StaffAssignment.objects.filter(user=user, role__in=[Role.ADMIN, Role.OFFICER]).exists()


def _second_factor() -> ModuleType | None:
    try:
        return importlib.import_module(SECOND_FACTOR_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == SECOND_FACTOR_MODULE:
            return None
        raise


def second_factor_required(user: User) -> bool:
    """Whether resetting ``user``'s password also needs their second factor (see the module)."""
    if not is_privileged(user):
        return False
    module = _second_factor()
    if module is None or not module.requires_second_factor(user):
        return False
    # Staff who must enrol but have not yet have no factor to give: the SMS code alone resets the
    # password, and the next sign-in asks them to enrol before anything else (views/second_factor.py).
    must_enrol = getattr(module, "must_enrol", None)
    return not (must_enrol is not None and must_enrol(user))


def _second_factor_ok(user: User, code: str) -> bool:
    module = _second_factor()
    return module is not None and bool(module.verify_second_factor(user, code))


def _refused(user: User | None, reason: str, *, step: str, label: str = "") -> None:
    audit.record("account.password_reset", actor=user, obj=user, union=home_union(user),
                 result=AuditResult.DENIED, label=label, detail={"reason": reason, "step": step})


def _limit(user: User | None, *, step: str, label: str = "") -> None:
    try:
        _limit_address("password_reset", limit=ADDRESS_LIMIT, window=ADDRESS_WINDOW,
                       message="当前网络找回密码的尝试过于频繁，请1小时后再试")
    except DomainError as exc:
        _refused(user, exc.code, step=step, label=label)
        raise


def _stamp(user: User) -> str:
    # Changes with the password hash, so a ticket is good for one reset only.
    return user.get_session_auth_hash()[:16]


def password_reset_verify(*, phone: str, code: str) -> ResetTicket:
    """Step 1: prove the phone with the password_reset code. Raises ValidationFailed (malformed phone,
    wrong/expired code — the same for a phone without an account), TooManyRequests (429)."""
    normalized = clean_phone(phone)
    label = mask_phone(normalized)
    user = User.objects.by_phone(normalized).filter(is_active=True).first()
    _limit(user, step="code", label=label)
    try:
        code_verify(phone=normalized, code=code, purpose="password_reset")
    except DomainError as exc:
        _refused(user, exc.code, step="code", label=label)
        raise
    if user is None:  # only a lucky guess of a code never sent gets here: answer as for a wrong code
        _refused(None, "no_account", step="code", label=label)
        raise ValidationFailed("验证码不正确", code="code_wrong", detail={"code": "验证码不正确"})
    token = signing.dumps({"u": str(user.uuid), "s": _stamp(user)}, salt=TICKET_SALT)
    return ResetTicket(token=token, otp_required=second_factor_required(user))


def ticket_user(token: str) -> User:
    """The account a live ticket is for. Raises ValidationFailed (code ticket_expired) otherwise."""
    expired = ValidationFailed(EXPIRED, code="ticket_expired")
    try:
        data = signing.loads(token or "", salt=TICKET_SALT, max_age=TICKET_AGE)
    except signing.BadSignature:
        raise expired from None
    user = User.objects.filter(uuid=data.get("u"), is_active=True).first()
    if user is None or data.get("s") != _stamp(user):
        raise expired
    return user


def password_reset_complete(*, ticket: str, new_password: str, otp: str = "") -> User:
    """Step 2: set the new password. Raises ValidationFailed (expired ticket, weak password, missing
    or wrong second-factor code), TooManyRequests (429).

    Ends all of the user's sessions and revokes their API tokens; clears their failed sign-ins."""
    _limit(None, step="password")
    try:
        user = ticket_user(ticket)
    except DomainError as exc:
        _refused(None, exc.code, step="password")
        raise
    if second_factor_required(user):
        otp = "".join((otp or "").split())
        if not otp:
            raise ValidationFailed("您是工会工作人员，请填写身份验证器上的动态码", code="otp_required",
                                   detail={"otp": "请填写动态码"})
        if not _second_factor_ok(user, otp):
            _refused(user, "otp_wrong", step="password")
            raise ValidationFailed("动态码不正确", code="otp_wrong", detail={"otp": "动态码不正确"})
    try:
        password_check(new_password, user)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, detail={"new_password": exc.message}) from None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if _stamp(locked) != _stamp(user):  # another reset with the same ticket got here first
            raise ValidationFailed(EXPIRED, code="ticket_expired")
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record("account.password_reset", actor=locked, obj=locked, union=home_union(locked),
                     detail={"tokens_revoked": revoked, "second_factor": second_factor_required(locked)})
    _unlock(locked)
    return locked


def _unlock(user: User) -> None:
    """The owner proved the phone: clear the account's failed sign-ins (every address)."""
    from axes.utils import reset

    from .auth import axes_username

    reset(username=axes_username(None, {"phone": user.phone}))  # type: ignore[arg-type]
