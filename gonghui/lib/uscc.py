"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority (1),
organization category (1), region code (6: the GB/T 2260 code of the registering authority, digits
only), organization code (9), check character (1), where check = 31 - (Σ value(cᵢ)·weightᵢ mod 31),
and 31 maps to 0.

Full-width forms (``９１３５…``) are folded to ASCII; other compatibility characters (``⑨``) are refused
rather than guessed (gonghui.lib.text.compatibility_characters).
"""

from __future__ import annotations

from .text import fold_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: index for index, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = "123456789ANY"


class InvalidCreditCode(ValueError):
    """Not a valid unified social credit code; the message is for the user, in Chinese."""


def check_char(body17: str) -> str:
    total = sum(VALUES[ch] * weight for ch, weight in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    """Return the canonical 18-character code or raise InvalidCreditCode (Chinese message)."""
    text = fold_code(value, label="统一社会信用代码", hint="请用半角数字和字母填写", error=InvalidCreditCode)
    if len(text) != 18:
        raise InvalidCreditCode(f"统一社会信用代码应为18位，现在是{len(text)}位")
    bad = sorted({ch for ch in text if ch not in VALUES})
    if bad:
        raise InvalidCreditCode(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}")
    if text[0] not in AUTHORITIES:
        raise InvalidCreditCode("统一社会信用代码第1位（登记管理部门代码）不正确")
    if not text[2:8].isdigit():
        raise InvalidCreditCode("统一社会信用代码第3至8位（登记管理机关行政区划码）应为数字")
    if text[17] != check_char(text[:17]):
        raise InvalidCreditCode("统一社会信用代码校验位不正确，请核对后重新填写")
    return text
