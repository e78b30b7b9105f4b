"""Mainland China mobile numbers."""

from __future__ import annotations

import re

from .text import compact

# [0-9], not \d: \d also matches other scripts' digits, which would give the same number a second,
# non-ASCII canonical form (and a different blind index).
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class InvalidPhone(ValueError):
    """Not a valid mobile number; the message is for the user, in Chinese."""


def normalize_phone(value: object) -> str:
    """Return the 11-digit mobile number; accepts spaces, dashes, full width and +86/0086."""
    text = compact(value)
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == 11 + len(prefix):
            text = text[len(prefix):]
            break
    if not text:
        raise InvalidPhone("请填写手机号码")
    if not _MOBILE.fullmatch(text):
        raise InvalidPhone("手机号码格式不正确，应为11位中国大陆手机号")
    return text
