"""Resident ID numbers (GB 11643): parsing, normalizing, upgrading and refusing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.lib.idcard import PROVINCE_CODES, InvalidIdNumber, normalize_id_number, parse_id_number

PROPERTY = settings(max_examples=200, deadline=None, database=None)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def reference_check(body17: str) -> str:
    """ISO 7064 MOD 11-2 written from the standard, independently of the module: weight 2^(17-i) mod 11,
    check value (12 - Σ mod 11) mod 11, where 10 is written X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@st.composite
def id_numbers(draw: st.DrawFn, *, first: date = date(1900, 1, 1), last: date | None = None) -> tuple[str, date]:
    """A valid 18-character number and the birth date it encodes."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=first, max_value=last or date.today()))  # noqa: DTZ011 - a calendar date
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    body = f"{province}{rest}{born:%Y%m%d}{sequence}"
    return body + reference_check(body), born


def assert_chinese(exc: pytest.ExceptionInfo[InvalidIdNumber]) -> None:
    assert CHINESE.search(str(exc.value)), str(exc.value)


@PROPERTY
@given(id_numbers())
def test_it_parses_every_valid_number(case: tuple[str, date]) -> None:
    number, born = case
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.gender == ("M" if int(number[16]) % 2 else "F")
    assert parsed.region_code == number[:6]
    assert parsed.province == PROVINCE_CODES[number[:2]]
    assert parsed.warnings == ()


@PROPERTY
@given(id_numbers())
def test_it_round_trips_the_parsed_number(case: tuple[str, date]) -> None:
    number = parse_id_number(case[0]).number
    assert parse_id_number(number).number == number
    assert normalize_id_number(number) == number


@PROPERTY
@given(id_numbers(), st.data())
def test_it_normalizes_full_width_digits_spaces_and_a_lowercase_x(case: tuple[str, date], data: st.DataObject) -> None:
    number = case[0]
    messy = "".join(
        (ch.translate(FULL_WIDTH) if data.draw(st.booleans()) else ch)
        + data.draw(st.sampled_from(["", "", " ", "\u3000", "\t"]))
        for ch in number.lower()
    )
    assert parse_id_number(f" {messy} ").number == number


@PROPERTY
@given(id_numbers(), st.sampled_from("0123456789X"))
def test_it_refuses_a_wrong_check_character(case: tuple[str, date], wrong: str) -> None:
    number = case[0]
    if wrong == number[17]:
        return
    with pytest.raises(InvalidIdNumber, match="校验位") as exc:
        parse_id_number(number[:17] + wrong)
    assert_chinese(exc)


@PROPERTY
@given(id_numbers(first=date(1900, 1, 1), last=date(1999, 12, 31)))
def test_it_upgrades_any_15_digit_number(case: tuple[str, date]) -> None:
    number, born = case
    old = number[:6] + number[8:17]  # no century, no check character
    parsed = parse_id_number(old)
    assert parsed.number == number
    assert parsed.birth_date == born


def test_it_upgrades_the_known_15_digit_example() -> None:
    parsed = parse_id_number("110105491231002")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"  # sequence 002 is even
    assert parsed.province == "北京市"


@pytest.mark.parametrize(("number", "born", "gender"), [
    # 1·7+1·9+0·10+1·5+0·8+1·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+0·8+0·4+1·2 = 154, 154 mod 11 = 0 → "1"
    ("110101199003070011", date(1990, 3, 7), "M"),
    # Σ = 200, 200 mod 11 = 2 → "X"
    ("44030419851012002X", date(1985, 10, 12), "F"),
    # Σ = 177, 177 mod 11 = 1 → "0"
    ("630102198001011230", date(1980, 1, 1), "M"),
])
def test_it_accepts_hand_computed_numbers(number: str, born: date, gender: str) -> None:
    assert reference_check(number[:17]) == number[17]
    parsed = parse_id_number(number)
    assert (parsed.number, parsed.birth_date, parsed.gender) == (number, born, gender)


@pytest.mark.parametrize("birth", [
    "19900230",  # February 30
    "19901301",  # month 13
    "19900001",  # month 0
    "19900100",  # day 0
    "19000229",  # 1900 was not a leap year
])
def test_it_refuses_impossible_dates(birth: str) -> None:
    body = f"110101{birth}001"
    with pytest.raises(InvalidIdNumber, match="出生日期") as exc:
        parse_id_number(body + reference_check(body))
    assert_chinese(exc)


def test_it_refuses_births_before_1900() -> None:
    body = "11010118991231001"
    with pytest.raises(InvalidIdNumber, match="不合理"):
        parse_id_number(body + reference_check(body))


def test_it_refuses_a_future_birth_date() -> None:
    tomorrow = date.today() + timedelta(days=1)  # noqa: DTZ011 - a calendar date
    body = f"110101{tomorrow:%Y%m%d}001"
    with pytest.raises(InvalidIdNumber, match="不合理") as exc:
        parse_id_number(body + reference_check(body))
    assert_chinese(exc)


def test_it_refuses_a_birth_date_after_the_given_today() -> None:
    body = "11010120200101001"
    number = body + reference_check(body)
    assert parse_id_number(number, today=date(2020, 1, 1)).birth_date == date(2020, 1, 1)
    with pytest.raises(InvalidIdNumber, match="不合理"):
        parse_id_number(number, today=date(2019, 12, 31))


@pytest.mark.parametrize(("value", "message"), [
    ("", "请填写身份证号码"),
    (None, "请填写身份证号码"),
    ("11010119900307001", "现在是17位"),
    ("1101011990030700111", "现在是19位"),
    ("1101011990030", "现在是13位"),
    ("11010549123100A", "15位身份证号码只能由数字组成"),
    ("11010119900307001Y", "最后一位应为数字或X"),
    ("1101011990O3070011", "前17位应为数字"),
])
def test_it_refuses_malformed_numbers_in_chinese(value: object, message: str) -> None:
    with pytest.raises(InvalidIdNumber, match=message) as exc:
        parse_id_number(value)
    assert_chinese(exc)


@PROPERTY
@given(id_numbers())
def test_it_refuses_digits_of_other_scripts(case: tuple[str, date]) -> None:
    # Arabic-Indic digits pass str.isdigit() and int(), and NFKC keeps them: the number would get a
    # second, non-ASCII canonical form with its own blind index.
    arabic = case[0][:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + case[0][17]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(arabic)
    with pytest.raises(InvalidIdNumber):
        parse_id_number(arabic[:6] + arabic[8:17])


def test_it_warns_about_an_unknown_province_but_accepts_the_number() -> None:
    body = "99010119900307001"
    parsed = parse_id_number(body + reference_check(body))
    assert parsed.number == body + reference_check(body)
    assert parsed.province is None
    assert len(parsed.warnings) == 1 and "990101" in parsed.warnings[0] and "未能识别" in parsed.warnings[0]


# Compatibility forms of the digits that NFKC folds to ASCII: circled, superscript, mathematical bold,
# parenthesized and "digit full stop". Reading them as digits would be a guess; plain full-width
# digits (what an input method in full-width mode types) are still folded.
COMPATIBILITY_DIGITS = [
    "⓪①②③④⑤⑥⑦⑧⑨",
    "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "".join(chr(0x1D7CE + d) for d in range(10)),
    "0⑴⑵⑶⑷⑸⑹⑺⑻⑼",
    "0⒈⒉⒊⒋⒌⒍⒎⒏⒐",
]


@PROPERTY
@given(id_numbers(), st.integers(0, 16), st.sampled_from(COMPATIBILITY_DIGITS))
def test_it_refuses_compatibility_digits_instead_of_folding_them(case: tuple[str, date], position: int,
                                                                  forms: str) -> None:
    number = case[0]
    digit = number[position]
    if forms[int(digit)] == digit:
        return  # no such form of this digit in the set (the parenthesized and full-stop sets lack 0)
    changed = number[:position] + forms[int(digit)] + number[position + 1:]
    with pytest.raises(InvalidIdNumber, match=f"不允许的字符：{forms[int(digit)]}") as exc:
        parse_id_number(changed)
    assert_chinese(exc)


def test_it_refuses_a_circled_digit_that_nfkc_would_fold_into_a_valid_number() -> None:
    assert parse_id_number("110105194912310118").number == "110105194912310118"
    with pytest.raises(InvalidIdNumber, match="不允许的字符：⑧"):
        parse_id_number("11010519491231011⑧")
    with pytest.raises(InvalidIdNumber, match="不允许的字符：⑨"):
        parse_id_number("⑨" * 18)
    assert parse_id_number("１１０１０５１９４９１２３１０１１８").number == "110105194912310118"  # full-width
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
