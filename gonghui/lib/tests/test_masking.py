"""Masking ID numbers, phones and names for display."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.masking import mask_id_number, mask_name, mask_phone

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def test_it_masks_an_18_character_id_number_exactly() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("11010519491231123X") == "110***********123X"


def test_it_masks_a_15_digit_id_number() -> None:
    assert mask_id_number("110105491231002") == "110********1002"


def test_it_masks_a_phone_exactly() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize("empty", [None, ""])
def test_it_masks_nothing_as_nothing(empty: str | None) -> None:
    assert mask_id_number(empty) == mask_phone(empty) == mask_name(empty) == ""


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("欧阳修文", "欧***"), ("王", "王*")])
def test_it_keeps_only_the_family_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@PROPERTY
@given(st.text("0123456789X", min_size=1, max_size=20))
def test_it_always_hides_part_of_an_id_number(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert "*" in masked and masked != value


@PROPERTY
@given(st.text("0123456789", min_size=1, max_size=20))
def test_it_always_hides_part_of_a_phone(value: str) -> None:
    # A 7-character value used to come back whole: 3 kept in front + 4 at the end.
    masked = mask_phone(value)
    assert len(masked) == len(value)
    assert "*" in masked and masked != value
    if len(value) >= 8:
        assert masked[:3] == value[:3] and masked[-4:] == value[-4:]
