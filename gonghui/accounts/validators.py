"""Password rules: staff need ≥ 10 characters from 3 of 4 classes, not containing their phone number;
members need length and must not use a common password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

MEMBER_MIN_LENGTH = 8
STAFF_MIN_LENGTH = 10
STAFF_RULE = "工作人员密码至少10位，包含大写字母、小写字母、数字、符号中的至少3类，且不能包含手机号"


def _classes(password: str) -> int:
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def staff_password_problem(password: str, user: Any = None) -> str | None:
    """Why ``password`` fails the staff rule (a Chinese message), or None when it meets it."""
    if len(password) < STAFF_MIN_LENGTH or _classes(password) < 3:
        return STAFF_RULE
    phone = "".join(ch for ch in str(getattr(user, "phone", "") or "") if ch.isdigit())
    digits = "".join(ch for ch in password if ch.isdigit())
    # The number itself, or its last eight digits (the part that is not the carrier prefix).
    if phone and (phone in digits or (len(phone) >= 8 and phone[-8:] in digits)):
        return "工作人员密码不能包含手机号"
    return None


class RolePasswordValidator:
    """Staff rules when the user holds any staff assignment (or is marked as becoming staff)."""

    def validate(self, password: str, user: Any = None) -> None:
        staff = bool(user is not None and (getattr(user, "_becoming_staff", False) or
                                           (user.pk and getattr(user, "is_union_staff", False))))
        if staff:
            problem = staff_password_problem(password, user)
            if problem:
                raise ValidationError(problem, code="password_weak_staff")
            return
        if len(password) < MEMBER_MIN_LENGTH:
            raise ValidationError(f"密码至少{MEMBER_MIN_LENGTH}位", code="password_too_short")
        try:
            CommonPasswordValidator().validate(password)
        except ValidationError:
            raise ValidationError("这个密码太常见，容易被猜到，请换一个", code="password_too_common") from None

    def get_help_text(self) -> str:
        return f"职工密码至少8位且不能是常见密码；{STAFF_RULE}。"
