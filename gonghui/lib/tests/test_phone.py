"""Mainland mobile numbers: what people type, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.phone import InvalidPhone, normalize_phone

PROPERTY = settings(max_examples=200, deadline=None, database=None)
FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")

mobiles = st.builds(lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"),
                    st.text("0123456789", min_size=9, max_size=9))


@pytest.mark.parametrize("typed", [
    "13800138000",
    "+86 138 0013 8000",
    "+8613800138000",
    "0086 13800138000",
    "008613800138000",
    "8613800138000",
    "138-0013-8000",
    "138 0013 8000",
    "１３８００１３８０００",
    "＋８６ １３８－００１３－８０００",
    "\u3000138\u00a00013\t8000\n",
])
def test_it_normalizes_what_people_type(typed: str) -> None:
    assert normalize_phone(typed) == "13800138000"


@PROPERTY
@given(mobiles, st.sampled_from(["", "+86", "0086", "86", "+86 ", "0086-"]), st.data())
def test_it_normalizes_any_formatted_mobile(number: str, prefix: str, data: st.DataObject) -> None:
    messy = prefix + "".join(
        (ch.translate(FULL_WIDTH) if data.draw(st.booleans()) else ch)
        + data.draw(st.sampled_from(["", "", " ", "-", "\u3000"]))
        for ch in number
    )
    assert normalize_phone(messy) == number


@pytest.mark.parametrize(("typed", "message"), [
    ("", "请填写手机号码"),
    (None, "请填写手机号码"),
    ("+86", "格式不正确"),
    ("12800138000", "格式不正确"),   # no mobile range starts with 12
    ("10800138000", "格式不正确"),
    ("1380013800", "格式不正确"),    # 10 digits
    ("138001380001", "格式不正确"),  # 12 digits
    ("+1 13800138000", "格式不正确"),
    ("008613800138", "格式不正确"),
    ("1380013800O", "格式不正确"),   # letter O
    ("010-88888888", "格式不正确"),  # a landline
])
def test_it_refuses_invalid_numbers_in_chinese(typed: object, message: str) -> None:
    with pytest.raises(InvalidPhone, match=message):
        normalize_phone(typed)


@PROPERTY
@given(mobiles)
def test_it_refuses_digits_of_other_scripts(number: str) -> None:
    # \d matches Arabic-Indic digits, which NFKC keeps: the same phone would get a second canonical form.
    with pytest.raises(InvalidPhone):
        normalize_phone(number[:2] + number[2:].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
