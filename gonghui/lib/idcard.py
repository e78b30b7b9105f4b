"""Resident identity numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit region code (GB/T 2260), 8-digit birth date, 3-digit sequence (odd for men,
even for women), and a check character computed by ISO 7064 MOD 11-2. Old 15-digit numbers
(YYMMDD, no check character) are upgraded by inserting the century and computing the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import mul

from .text import fold_code

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII only: str.isdigit() and int() also take other scripts' digits (Arabic-Indic "١", …), which
# NFKC leaves alone; such a number would be stored beside, and indexed apart from, its ASCII twin.
_DIGITS_15 = re.compile(r"[0-9]{15}")
_NUMBER_18 = re.compile(r"[0-9]{17}[0-9X]")

# Province-level prefixes of GB/T 2260 (including Hong Kong, Macao and Taiwan). Finer region codes
# change every year, so an unknown prefix is only a warning, never a reason to refuse a number.
PROVINCE_CODES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
    "83": "台湾省",
}


class InvalidIdNumber(ValueError):
    """The number is not a valid resident ID number; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str  # "M" or "F"
    region_code: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def province(self) -> str | None:
        return PROVINCE_CODES.get(self.region_code[:2])


def check_char(body17: str) -> str:
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError("check_char takes the first 17 digits, ASCII")
    # ASCII digits: the bytes minus 48 are the digits.
    total = sum(map(mul, body17.encode(), WEIGHTS)) - _ZERO_WEIGHT
    return CHECK_CHARS[total % 11]


_ZERO_WEIGHT = 48 * sum(WEIGHTS)


def _birth_date(text: str) -> date:
    born = _valid_birth_date(text)
    if born > date.today():  # noqa: DTZ011 - a calendar date, no time zone
        raise InvalidIdNumber(f"身份证号码中的出生日期 {text} 不合理")
    return born


@lru_cache(maxsize=50_000)
def _valid_birth_date(text: str) -> date:
    """A roster repeats birth dates: each is parsed once (only valid ones are cached)."""
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号码中的出生日期 {text} 不存在") from None
    if born.year < 1900:
        raise InvalidIdNumber(f"身份证号码中的出生日期 {text} 不合理")
    return born


def parse_id_number(value: object, *, today: date | None = None) -> IdNumber:
    """Normalize and validate; return the 18-character number with what it encodes.

    Accepts full-width digits and ``Ｘ`` (what an input method in full-width mode types: folded to
    ASCII), spaces and a lowercase ``x``; upgrades 15-digit numbers. Other compatibility characters
    (``⑨``, ``⁹``, ``𝟗``) are refused, not folded: reading them as digits would be a guess.
    Raises InvalidIdNumber with a Chinese message.
    """
    if value.__class__ is str and len(value) == 18 and _NUMBER_18.fullmatch(value):
        text = value  # the common case, already canonical: nothing to fold
    else:
        text = fold_code(value, label="身份证号码", hint="请只用数字和字母X填写", error=InvalidIdNumber)
    if len(text) == 15:
        if not _DIGITS_15.fullmatch(text):
            raise InvalidIdNumber("15位身份证号码只能由数字组成")
        body = text[:6] + "19" + text[6:]
        text = body + check_char(body)
    if len(text) != 18:
        raise InvalidIdNumber(f"身份证号码应为18位，现在是{len(text)}位")
    body, check = text[:17], text[17]
    if not _NUMBER_18.fullmatch(text):
        raise InvalidIdNumber("身份证号码前17位应为数字，最后一位应为数字或X")
    born = _birth_date(body[6:14])
    if today is not None and born > today:
        raise InvalidIdNumber(f"身份证号码中的出生日期 {body[6:14]} 不合理")
    expected = check_char(body)
    if check != expected:
        raise InvalidIdNumber("身份证号码校验位不正确，请核对后重新填写")
    warnings: tuple[str, ...] = ()
    if body[:2] not in PROVINCE_CODES:
        warnings = (f"地区代码 {body[:6]} 未能识别，请核对",)
    gender = "M" if int(body[16]) % 2 else "F"
    return IdNumber(number=text, birth_date=born, gender=gender, region_code=body[:6], warnings=warnings)


def normalize_id_number(value: object) -> str:
    """The canonical 18-character form, for the blind index. Raises InvalidIdNumber."""
    return parse_id_number(value).number
