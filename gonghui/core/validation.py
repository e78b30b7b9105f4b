"""Checking what a service is given, with Chinese messages: the one text cleaner.

Services clean their free-text inputs with ``clean_text`` so that every module treats what people
type the same way: control and zero-width characters dropped, white space folded (a single-line
field) or lines kept (``multiline``), a required field refused when empty, a length limit refused
with the field's name (never cut short silently). People's real names go through ``clean_person_name``,
which refuses invisible characters and emoji instead of dropping them. The error carries
``detail={field: message}`` so a form can show it on the field and the API returns it in ``detail``.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.lib.text import clean_block, clean_line

from .errors import ValidationFailed


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True,
               multiline: bool = False, too_long: str | None = None) -> str:
    """``value`` cleaned; ValidationFailed when required and empty, or longer than ``max_length``.

    ``too_long`` is the per-field message for an over-long value (default: "不能超过N个字").
    """
    text = clean_block(value) if multiline else clean_line(value)
    if required and not text:
        raise ValidationFailed(f"请填写{label}", detail={field: f"请填写{label}"})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字",
                               detail={field: too_long or f"不能超过{max_length}个字"})
    return text


def clean_phone(value: str, *, field: str = "phone") -> str:
    """A mainland mobile number as typed (``gonghui.lib.phone``: spaces, +86, full-width digits) in its
    stored 11-digit form; ValidationFailed with lib.phone's Chinese message on ``field`` otherwise."""
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), detail={field: str(exc)}) from None


def clean_date_range(start: Any, end: Any, *, fields: tuple[str, str], label: str,
                     backwards: str) -> tuple[date, date]:
    """A required period of whole days (an offer's running time, a contract's term) as ``(start, end)``.

    ValidationFailed "请填写{label}" on the first field when either day is missing, ``backwards`` (the
    form's whole message) with "不能早于开始日期" on the second field when it ends before it starts."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationFailed(f"请填写{label}", detail={fields[0]: f"请填写{label}"})
    if end < start:
        raise ValidationFailed(backwards, detail={fields[1]: "不能早于开始日期"})
    return start, end


def person_name_error(text: str, *, label: str = "姓名", max_length: int = 50) -> str | None:
    """Why ``text`` (white space already folded) is not acceptable as a person's real name, or None.

    Invisible characters (zero-width space and joiner, BOM, direction marks, variation selectors) and emoji
    or other pictographs are refused, not dropped: a name must match the ID card exactly, and a silently
    changed one would not. (The roster import also refuses digits: there they mean a shifted column.)
    """
    if not text:
        return f"请填写{label}"
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
            return f"{label}中含有不可见的字符（如零宽空格），请删除后重新输入"
        if category in ("So", "Sk", "Cc", "Cs", "Co", "Cn") or ch == "\u20e3":
            return f"{label}不能包含表情符号或图形符号"
    if len(text) > max_length:
        return f"{label}不能超过{max_length}个字"
    return None


def clean_person_name(value: str | None, *, field: str = "name", label: str = "姓名", max_length: int = 50) -> str:
    """A person's real name with white space folded; ValidationFailed (``detail={field: …}``) when
    ``person_name_error`` finds a problem. Never shortened: too long is an error."""
    text = " ".join(str(value or "").split())
    problem = person_name_error(text, label=label, max_length=max_length)
    if problem:
        raise ValidationFailed(problem, detail={field: problem})
    return text
