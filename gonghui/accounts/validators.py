"""Password rules: staff need ≥ 8 characters from 3 of 4 classes; members need length and must not
use a common password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

MEMBER_MIN_LENGTH = 8
STAFF_MIN_LENGTH = 8


def _classes(password: str) -> int:
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


class RolePasswordValidator:
    """Staff rules when the user holds any staff assignment (or is marked as becoming staff)."""

    def validate(self, password: str, user: Any = None) -> None:
        staff = bool(user is not None and (getattr(user, "_becoming_staff", False) or
                                           (user.pk and getattr(user, "is_union_staff", False))))
        if staff:
            if len(password) < STAFF_MIN_LENGTH or _classes(password) < 3:
                raise ValidationError(
                    "工作人员密码至少8位，并包含大写字母、小写字母、数字、符号中的至少3类", code="password_weak_staff"
                )
            return
        if len(password) < MEMBER_MIN_LENGTH:
            raise ValidationError(f"密码至少{MEMBER_MIN_LENGTH}位", code="password_too_short")
        try:
            CommonPasswordValidator().validate(password)
        except ValidationError:
            raise ValidationError("这个密码太常见，容易被猜到，请换一个", code="password_too_common") from None

    def get_help_text(self) -> str:
        return "职工密码至少8位且不能是常见密码；工作人员密码至少8位，并包含大写字母、小写字母、数字、符号中的至少3类。"
