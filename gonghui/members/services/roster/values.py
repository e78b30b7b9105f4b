"""Cell values: what a roster cell may say and what it means.

Dates typed in any of the usual ways or Excel date cells (``parse_date``), 是/否 flags, the words
accepted for each choice column (labels, codes and common synonyms), a cell's text quoted back in
a message with long digit runs masked (``echo``), and the pinyin sort keys of a name
(``pinyin_keys``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from gonghui.lib.text import compact

from ...models import Education, EmploymentForm, GigOccupation, HardshipLevel, Household, ModelWorkerLevel
from .xlsx import _serial_date

# --- Cell values ------------------------------------------------------------------------------------------


def _fold(value: Any) -> str:
    return compact(value).lower()


def _words(choices: Iterable[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
    words = {_fold(value): value for value, _ in choices}
    words.update({_fold(label): value for value, label in choices})
    words.update({_fold(word): value for word, value in (extra or {}).items()})
    # the exact labels too, so that the common case needs no folding
    words.update({label: value for value, label in choices})
    return words


def _word(words: dict[str, str], text: str) -> str | None:
    found = words.get(text)
    return found if found is not None else words.get(_fold(text))


_FORM_WORDS = _words(EmploymentForm.choices, {
    "职工": "regular", "在职职工": "regular", "单位员工": "regular", "员工": "regular",
    "新就业形态": "gig", "新业态": "gig", "新就业形态劳动者": "gig", "新业态劳动者": "gig", "灵活就业": "gig"})
_GIG_WORDS = _words(GigOccupation.choices, {
    "快递小哥": "courier", "快递": "courier", "外卖员": "food_delivery", "外卖骑手": "food_delivery",
    "外卖配送员": "food_delivery", "网约车": "ride_hailing", "网约车驾驶员": "ride_hailing", "货车": "truck",
    "货车驾驶员": "truck", "货运司机": "truck", "网约配送": "online_delivery", "即时配送员": "online_delivery",
    "家政": "domestic", "家政服务": "domestic", "主播": "streamer", "网络主播": "streamer"})
_EDUCATION_WORDS = _words(Education.choices, {
    "小学": "primary", "文盲": "primary", "高中": "senior", "中专": "senior", "技校": "senior", "职高": "senior",
    "中技": "senior", "高职": "college", "专科": "college", "大学本科": "bachelor", "大学": "bachelor",
    "学士": "bachelor", "硕士": "postgraduate", "博士": "postgraduate", "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate"})
_HOUSEHOLD_WORDS = _words(Household.choices, {
    "农业": "agricultural", "农村": "agricultural", "农村户口": "agricultural", "农业户籍": "agricultural",
    "非农业": "non_agricultural", "非农": "non_agricultural", "城镇": "non_agricultural",
    "城镇户口": "non_agricultural", "非农户口": "non_agricultural", "居民户口": "non_agricultural"})
_MODEL_WORDS = _words(ModelWorkerLevel.choices, {
    "全国": "national", "全国劳动模范": "national", "全国先进工作者": "national", "省级": "provincial",
    "省部级": "provincial", "省部级劳模": "provincial", "省劳模": "provincial", "省级劳动模范": "provincial",
    "市级": "city", "市劳模": "city", "地市级": "city", "市级劳动模范": "city"})
_HARDSHIP_WORDS = _words(HardshipLevel.choices, {
    "一般": "general", "深度": "serious", "特殊": "extreme", "困难": "general", "困难职工": "general",
    "特困": "extreme", "特困职工": "extreme"})
_NONE_WORDS = {"", "否", "无", "不是", "非", "n", "no", "false", "0", "×", "/", "-", "—"}
_YES_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_DATE_PATTERNS = (
    re.compile(r"(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


_LONG_NUMBER = re.compile(r"[0-9０-９]{6,}[0-9０-９xX]*")


def echo(value: Any, limit: int = 20) -> str:
    """A cell's text quoted back in a message (the report is stored): shortened, and a long run of
    digits — an ID number or phone typed into the wrong column — masked."""
    text = " ".join(str(value).split())
    text = _LONG_NUMBER.sub(lambda m: m.group(0)[:3] + "***", text)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_date(value: Any) -> date:
    """A date typed in any of the usual ways, or an Excel date cell. Raises ValueError (Chinese)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split()).lower()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise ValueError(f"日期“{echo(value)}”不存在，请核对") from None
    if text.isdigit() and 10000 <= int(text) <= 80000:  # an Excel date cell that lost its date format
        found = _serial_date(float(text), False)
        if found:
            return found
    raise ValueError(f"日期“{echo(value)}”无法识别，请写成 2024-03-01 或 2024年3月1日 的形式")


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "否" or value == "":
        return False
    if value == "是":
        return True
    word = _fold(value)
    if word in _YES_WORDS:
        return True
    if word in _NONE_WORDS:
        return False
    return None


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) exactly as members/pinyin.py computes them: the import writes rows
    without Member.save(), so it sets both itself.

    pypinyin reads a name character by character (each its first reading) unless some run of two
    or more characters is in its phrase dictionary; only then is the full, slower conversion needed.
    """
    name = name or ""
    syllables: list[str] | None = None
    for start in range(len(name) - 1):
        for end in range(start + 2, len(name) + 1):
            if name[start:end] in PHRASES_DICT:
                syllables = lazy_pinyin(name, errors="ignore")
                break
        if syllables is not None:
            break
    if syllables is None:
        syllables = [p for p in map(_char_pinyin, name) if p]
    return "".join(syllables).lower()[:120], "".join(s[:1] for s in syllables).lower()[:20]


@lru_cache(maxsize=30_000)
def _char_pinyin(char: str) -> str:
    return "".join(lazy_pinyin(char, errors="ignore"))
