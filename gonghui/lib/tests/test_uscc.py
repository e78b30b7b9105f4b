"""Unified social credit codes (GB 32100): the MOD 31 check, the alphabet and normalizing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.uscc import InvalidCreditCode, normalize_uscc

PROPERTY = settings(max_examples=200, deadline=None, database=None)
# GB 32100: the 36 letters and digits without I, O, S, V and Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
AUTHORITIES = "123456789ANY"  # registration authorities (登记管理部门代码)
FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def reference_check(body17: str) -> str:
    """From the standard, independently of the module: weight 3^i mod 31, check 31 - (Σ mod 31), 31 → 0."""
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(body17))
    return ALPHABET[(31 - total % 31) % 31]


@st.composite
def codes(draw: st.DrawFn) -> str:
    # authority, category, the region code (positions 3–8: GB/T 2260, digits only), organization code
    body = (draw(st.sampled_from(AUTHORITIES)) + draw(st.sampled_from(ALPHABET))
            + draw(st.text("0123456789", min_size=6, max_size=6)) + draw(st.text(ALPHABET, min_size=9, max_size=9)))
    return body + reference_check(body)


@PROPERTY
@given(codes())
def test_it_accepts_every_generated_code(code: str) -> None:
    assert normalize_uscc(code) == code


@settings(max_examples=60, deadline=None, database=None)
@given(codes())
def test_it_rejects_every_single_character_substitution(code: str) -> None:
    # Exhaustive per code: 18 positions × 30 other characters of the alphabet. MOD 31 catches them all
    # because 31 is prime and no weight is 0 mod 31, so a change of value d ≠ 0 changes Σ by w·d ≠ 0.
    for position in range(18):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1:]
            with pytest.raises(InvalidCreditCode):
                normalize_uscc(changed)


@PROPERTY
@given(codes(), st.integers(0, 17), st.sampled_from("IOSVZ"))
def test_it_rejects_the_forbidden_letters(code: str, position: int, letter: str) -> None:
    changed = code[:position] + letter + code[position + 1:]
    with pytest.raises(InvalidCreditCode, match=f"不允许的字符：{letter}"):
        normalize_uscc(changed)


@PROPERTY
@given(codes(), st.data())
def test_it_normalizes_lowercase_full_width_and_spaces(code: str, data: st.DataObject) -> None:
    messy = "".join(
        (ch.translate(FULL_WIDTH) if data.draw(st.booleans()) else ch)
        + data.draw(st.sampled_from(["", "", " ", "\u3000", "-"]))
        for ch in (code.lower() if data.draw(st.booleans()) else code)
    )
    assert normalize_uscc(f"  {messy}\t") == code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91630100MA7XKQ0L35"])
def test_it_accepts_known_codes(code: str) -> None:
    assert reference_check(code[:17]) == code[17]
    assert normalize_uscc(code) == code


@pytest.mark.parametrize(("value", "message"), [
    ("", "请填写统一社会信用代码"),
    (None, "请填写统一社会信用代码"),
    ("91350100M000100Y4", "应为18位，现在是17位"),
    ("91350100M000100Y433", "应为18位，现在是19位"),
    ("91350100M000100Y4#", "不允许的字符：#"),
    ("B1350100M000100Y43", "登记管理部门代码"),
    ("91350100M000100Y44", "校验位不正确"),
])
def test_it_refuses_bad_codes_in_chinese(value: object, message: str) -> None:
    with pytest.raises(InvalidCreditCode, match=message) as exc:
        normalize_uscc(value)
    assert CHINESE.search(str(exc.value))


@PROPERTY
@given(codes(), st.integers(2, 7), st.sampled_from("ABCDEFGHJKLMNPQRTUWXY"))
def test_it_refuses_a_letter_in_the_region_code(code: str, position: int, letter: str) -> None:
    body = code[:position] + letter + code[position + 1:17]
    with pytest.raises(InvalidCreditCode, match="第3至8位"):
        normalize_uscc(body + reference_check(body))  # even with a correct check character


def test_it_refuses_the_code_from_the_report() -> None:
    assert reference_check("946WJF1TYK2EAH71E") == "J"  # its check character is right
    with pytest.raises(InvalidCreditCode, match="第3至8位（登记管理机关行政区划码）应为数字"):
        normalize_uscc("946WJF1TYK2EAH71EJ")


@pytest.mark.parametrize("strange", ["⑨", "⁹", "\U0001D7D7", "Ⓜ"])
def test_it_refuses_compatibility_characters_instead_of_folding_them(strange: str) -> None:
    code = "91350100M000100Y43".replace("9", strange, 1) if strange != "Ⓜ" else "91350100Ⓜ000100Y43"
    with pytest.raises(InvalidCreditCode, match=f"不允许的字符：{strange}"):
        normalize_uscc(code)
