"""People: who the members are, drawn the one way the generator and the demo share.

The tables (surnames by frequency, given names by gender, Qinghai's Hui and Tibetan names, phone
prefixes, gig occupations and their share of men, education, household, 劳模, 工匠, 困难职工 and
worker representatives for regular and gig workers) and ``traits`` are used by both. Two ways to
give out identities, for the two sizes:

* ``identity(index)`` for the generator's millions: the ``index``-th person of a stream has an ID
  number and a phone that are bijections of the index, so distinct indexes never collide and no set
  of numbers already given out is needed. ID numbers are valid GB 11643 numbers (check character
  included) with real region codes from all over China (where people were born), a birth date in
  1962–2006 and a sequence whose parity is the gender; phones are unique mobile numbers over the
  common prefixes;
* ``Identities`` for the demo province's thousands: the region of the district the member works
  in, a working-age birth date by occupation (1965–2004) and a set of the numbers given out.

``person`` gives the generator's people as Member field values; ``person_rows`` the same people as
rows of the roster import template (for the import bench).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from gonghui.lib.idcard import check_char
from gonghui.members.models import (
    Education,
    EmploymentForm,
    GigOccupation,
    HardshipLevel,
    Household,
    ModelWorkerLevel,
)
from gonghui.unions.models import Employer

from .base import Weighted, stream

# --- Who the members are -------------------------------------------------------------------------------------

# Surnames with rough weights (per mille of the population), and a few compound ones.
SURNAMES: Sequence[tuple[str, float]] = (
    ("王", 71), ("李", 70), ("张", 68), ("刘", 53), ("陈", 45), ("杨", 31), ("赵", 23), ("黄", 22), ("周", 21),
    ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 13), ("高", 12), ("林", 12), ("何", 12), ("郭", 11),
    ("马", 11), ("罗", 9), ("梁", 9), ("宋", 8), ("郑", 8), ("谢", 7), ("韩", 7), ("唐", 7), ("冯", 7), ("于", 6),
    ("董", 6), ("萧", 3), ("程", 6), ("曹", 6), ("袁", 6), ("邓", 6), ("许", 6), ("傅", 5), ("沈", 5), ("曾", 5),
    ("彭", 5), ("吕", 5), ("苏", 5), ("卢", 5), ("蒋", 5), ("蔡", 5), ("贾", 4), ("丁", 4), ("魏", 4), ("薛", 4),
    ("叶", 4), ("阎", 4), ("余", 4), ("潘", 4), ("杜", 4), ("戴", 4), ("夏", 4), ("钟", 4), ("汪", 4), ("田", 4),
    ("任", 4), ("姜", 4), ("范", 4), ("方", 4), ("石", 4), ("姚", 4), ("谭", 3), ("廖", 3), ("邹", 3), ("熊", 3),
    ("金", 3), ("陆", 3), ("郝", 3), ("孔", 3), ("白", 3), ("崔", 3), ("康", 3), ("毛", 3), ("邱", 3), ("秦", 3),
    ("江", 3), ("史", 3), ("顾", 3), ("侯", 3), ("邵", 3), ("孟", 3), ("龙", 3), ("万", 3), ("段", 3), ("雷", 3),
    ("钱", 2), ("汤", 2), ("尹", 2), ("黎", 2), ("易", 2), ("常", 2), ("武", 2), ("乔", 2), ("贺", 2), ("赖", 2),
    ("龚", 2), ("文", 2), ("韦", 2), ("祁", 1), ("鲁", 1), ("欧阳", 0.4), ("上官", 0.1),
    ("司马", 0.1), ("诸葛", 0.1), ("东方", 0.1),
)
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                  "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189",
                  "191", "199")

GIG_OCCUPATIONS: dict[str, float] = {
    GigOccupation.FOOD_DELIVERY: 30, GigOccupation.COURIER: 28, GigOccupation.RIDE_HAILING: 15,
    GigOccupation.TRUCK: 10, GigOccupation.ONLINE_DELIVERY: 6, GigOccupation.DOMESTIC: 5,
    GigOccupation.STREAMER: 3, GigOccupation.OTHER: 3,
}
# The share of men in each gig occupation (riders and drivers are mostly men, domestic workers women).
GIG_MEN: dict[str, float] = {
    GigOccupation.FOOD_DELIVERY: 0.9, GigOccupation.COURIER: 0.86, GigOccupation.RIDE_HAILING: 0.93,
    GigOccupation.TRUCK: 0.98, GigOccupation.ONLINE_DELIVERY: 0.85, GigOccupation.DOMESTIC: 0.08,
    GigOccupation.STREAMER: 0.45, GigOccupation.OTHER: 0.6,
}
EDUCATION_REGULAR: dict[str, float] = {
    Education.PRIMARY: 2, Education.JUNIOR: 17, Education.SENIOR: 28, Education.COLLEGE: 25,
    Education.BACHELOR: 25, Education.POSTGRADUATE: 3,
}
EDUCATION_GIG: dict[str, float] = {
    Education.PRIMARY: 5, Education.JUNIOR: 38, Education.SENIOR: 35, Education.COLLEGE: 15, Education.BACHELOR: 7,
}
# Rural household registration (农业户口, i.e. migrant workers): about 40% overall.
AGRICULTURAL = {EmploymentForm.REGULAR: 0.33, EmploymentForm.GIG: 0.78}

MODEL_WORKER: dict[str, float] = {
    ModelWorkerLevel.NATIONAL: 0.0003, ModelWorkerLevel.PROVINCIAL: 0.0015, ModelWorkerLevel.CITY: 0.005,
}
HARDSHIP: dict[str, float] = {
    HardshipLevel.GENERAL: 0.015, HardshipLevel.SERIOUS: 0.006, HardshipLevel.EXTREME: 0.002,
}
CRAFTSMAN = {EmploymentForm.REGULAR: 0.012, EmploymentForm.GIG: 0.002}
REPRESENTATIVE = {EmploymentForm.REGULAR: 0.06, EmploymentForm.GIG: 0.015}

# Qinghai: many Hui (马, 韩, 冶 …) and Tibetan and Tu people, whose names have no surname.
QINGHAI_SURNAMES: dict[str, float] = {"马": 45, "韩": 10, "冶": 5, "祁": 5, "鲁": 3, "喇": 2, "铁": 1, "妥": 1}
# Given names by gender: one character, or a common two-character name of the 1960s to the 2000s.
# Random pairs of characters read like nobody's name ("墨梦", "涛勇"), so pairs are taken whole.
GIVEN_ONE = {
    True: "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宁凯浩宇峰林龙亮俊成东军斌健",
    False: "芳娜秀英敏静丽艳娟霞萍玲红梅丹慧婷燕雪琳倩颖洁蓉莉琴兰晶",
}
GIVEN_TWO = {
    True: ("建国", "建华", "建军", "国庆", "国强", "志强", "志刚", "卫东", "学军", "红军", "海军", "永福", "德明",
           "进忠", "占元", "福全", "成林", "文博", "晓东", "海涛", "晓明", "俊杰", "浩然", "子轩", "梓轩", "宇航",
           "泽宇", "天佑", "锦程", "彦博", "一鸣", "家豪", "明辉", "振华", "春生", "海龙", "建平", "玉成", "有才",
           "长青", "鹏飞", "文斌", "永强", "国栋", "小龙", "立新", "生财", "万福", "得福", "维民"),
    False: ("秀英", "桂英", "玉兰", "秀兰", "桂兰", "淑珍", "玉珍", "凤英", "金花", "春梅", "红梅", "海燕", "丽萍",
            "丽娟", "晓红", "文娟", "春花", "秋月", "冬梅", "雪莲", "玉梅", "海霞", "晓燕", "婷婷", "丽丽", "佳怡",
            "欣怡", "子涵", "雨桐", "梦瑶", "思雨", "一诺", "佳琪", "若汐", "晓雪", "美玲", "小红", "艳红", "桂芳",
            "秀云", "花儿", "永梅", "亚楠", "晓琴", "慧敏", "月娥"),
}
TIBETAN_SHARE = 0.09
TIBETAN = {  # (first parts, second parts) of Tibetan names, by gender
    True: (("才让", "扎西", "多杰", "索南", "桑吉", "更登", "尕藏", "旦正", "仁青", "公保", "南加", "华旦", "贡保"),
           ("才旦", "东珠", "加", "本", "太", "当周", "加措", "尖措", "多杰", "才让", "扎西", "索南", "吉")),
    False: (("才让", "拉毛", "卓玛", "央金", "德吉", "周毛", "措毛", "完玛", "桑吉", "仁青"),
            ("卓玛", "措", "吉", "草", "卓嘎", "措姆", "拉姆", "吉毛", "拉毛")),
}

LEAVE_REASONS = ("离开本单位，办理退会", "退休", "本人申请退会", "单位注销，会籍终止")
REGULAR_JOIN_REASONS = ("", "", "单位工会登记入会", "花名册集中登记")
GIG_JOIN_REASONS = ("新就业形态劳动者入会", "“骑手入会集中行动”登记入会", "驿站现场登记入会")

# Phones of the demo accounts (139 0000 xxxx, 139 0001 xxxx …) are never given to generated people.
RESERVED_PHONE_PREFIX = "139000"
BORN_FIRST, BORN_LAST = date(1965, 1, 1), date(2004, 12, 31)
JOIN_YEARS = 10


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One key of ``weights``, in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _level(rng: random.Random, shares: dict[str, float], scale: float = 1.0) -> str:
    roll = rng.random() * scale
    for level, share in shares.items():
        if roll < share:
            return level
        roll -= share
    return ""


def traits(rng: random.Random, form: str) -> dict[str, Any]:
    """劳模, 困难职工, 工匠 and worker representative, by the shares of regular or gig workers."""
    model_worker = _level(rng, MODEL_WORKER)
    return {
        "model_worker_level": model_worker,
        "hardship_level": _level(rng, HARDSHIP, 1.6 if form == EmploymentForm.GIG else 1.0),
        "craftsman": rng.random() < CRAFTSMAN[form] + (0.3 if model_worker else 0),
        "worker_representative": rng.random() < REPRESENTATIVE[form] + (0.5 if model_worker else 0),
    }


def household(rng: random.Random, form: str) -> str:
    return Household.AGRICULTURAL if rng.random() < AGRICULTURAL[form] else Household.NON_AGRICULTURAL


class Identities:
    """Unique resident ID numbers and phones for everyone the demo province invents (members and
    applicants), with its regional mix of names."""

    def __init__(self) -> None:
        surnames = dict(SURNAMES)
        for surname, weight in QINGHAI_SURNAMES.items():
            surnames[surname] = surnames.get(surname, 0) + weight
        self._surnames = list(surnames)
        self._surname_cum = list(accumulate(surnames.values()))
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def name(self, rng: random.Random, *, male: bool) -> str:
        if rng.random() < TIBETAN_SHARE:
            firsts, seconds = TIBETAN[male]
            first, second = rng.choice(firsts), rng.choice(seconds)
            return first + second if first != second else first
        surname = self._surnames[bisect(self._surname_cum, rng.random() * self._surname_cum[-1])]
        return surname + (rng.choice(GIVEN_TWO[male]) if rng.random() < 0.7 else rng.choice(GIVEN_ONE[male]))

    def id_number(self, rng: random.Random, *, region: str, born: date, male: bool) -> str:
        """GB 11643: region, birth date, a sequence whose parity is the gender (odd for men), check."""
        while True:
            sequence = 2 * rng.randrange(1, 500) - (1 if male else 0)
            body = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = body + check_char(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}"
            if phone not in self.phones and not phone.startswith(RESERVED_PHONE_PREFIX):
                self.phones.add(phone)
                return phone


def birth_date(rng: random.Random, occupation: str = "") -> date:
    """Working age: most regular workers born in the 1980s, gig workers younger, truck drivers older."""
    if occupation == GigOccupation.TRUCK:
        year = rng.triangular(1965, 2001, 1981)
    elif occupation:
        year = rng.triangular(1968, 2005, 1994)
    else:
        year = rng.triangular(1965, 2005, 1986)
    born = date(int(year), 1, 1) + timedelta(days=rng.randrange(365))
    return min(max(born, BORN_FIRST), BORN_LAST)


def join_date(rng: random.Random, *, born: date, today: date, gig: bool) -> date:
    """Within the past ten years (gig workers mostly since the enrollment drives of the last five),
    never before the 18th birthday."""
    earliest = today - timedelta(days=(5 if gig and rng.random() < 0.85 else JOIN_YEARS) * 365)
    earliest = max(earliest, adult_on(born))
    span = (today - earliest).days
    return earliest + timedelta(days=rng.randrange(1, span)) if span > 1 else today


GIG_SHARE = 0.15
REGIONS = ("630102", "630103", "630104", "630105", "630121", "630123", "630202", "632122", "110105", "120104",
           "130102", "140105", "210102", "320102", "330106", "340104", "350102", "370102", "410105", "420106",
           "430104", "440106", "500103", "510104", "520102", "530102", "610104", "620102", "640104", "650102")
EARLIEST_JOIN = date(2000, 1, 1)

_FIRST_DAY = date(1962, 1, 1)
_DAYS = (date(2006, 12, 31) - _FIRST_DAY).days + 1
_ID_SPACE = _DAYS * 1000  # (birth day, sequence) pairs: every person gets a distinct one


def _coprime(n: int, start: int) -> int:
    candidate = start
    while math.gcd(candidate, n) != 1:
        candidate += 1
    return candidate


_ID_STEP = _coprime(_ID_SPACE, 7_919_993)
_OFFSET = 104_729  # so that the first person is not born on the first day with sequence 000
_PHONE_STEP = _coprime(10 ** 8, 48_271_009)

_SURNAMES: Weighted[str] = Weighted(dict(SURNAMES).keys(), dict(SURNAMES).values())
# Occupations of gig workers, by gender: riders and drivers are mostly men, domestic workers women.
_OCCUPATIONS = {male: Weighted(GIG_OCCUPATIONS, [share * (GIG_MEN[o] if male else 1 - GIG_MEN[o])
                                                 for o, share in GIG_OCCUPATIONS.items()])
                for male in (True, False)}
_EDUCATION = {False: Weighted.of(EDUCATION_REGULAR), True: Weighted.of(EDUCATION_GIG)}


def identity(index: int, rng: random.Random) -> tuple[str, date, bool, str]:
    """(ID number, birth date, male, phone) of the ``index``-th person: distinct for distinct indexes."""
    slot = ((index + _OFFSET) * _ID_STEP) % _ID_SPACE
    born = _FIRST_DAY + timedelta(days=slot // 1000)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{slot % 1000:03d}"
    phone = f"{rng.choice(PHONE_PREFIXES)}{((index + _OFFSET) * _PHONE_STEP) % 10 ** 8:08d}"
    return body + check_char(body), born, slot % 2 == 1, phone


def adult_on(born: date) -> date:
    return date(born.year + 18, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)


def name(rng: random.Random, *, male: bool) -> str:
    given = rng.choice(GIVEN_TWO[male]) if rng.random() < 0.7 else rng.choice(GIVEN_ONE[male])
    return _SURNAMES.pick(rng) + given


def person(index: int, rng: random.Random, *, gig: bool | None = None, joined_by: date) -> dict[str, Any]:
    """The ``index``-th person, as Member field values (plain ID number and phone).

    ``gig``: a gig worker or not (default: 15% are). The join date lies between the 18th birthday
    (or 2000) and ``joined_by``.
    """
    id_number, born, male, phone = identity(index, rng)
    gig = rng.random() < GIG_SHARE if gig is None else gig
    form = EmploymentForm.GIG if gig else EmploymentForm.REGULAR
    earliest = max(EARLIEST_JOIN, adult_on(born))
    span = (joined_by - earliest).days
    return {
        "name": name(rng, male=male), "id_number": id_number, "phone": phone, "gender": "M" if male else "F",
        "birth_date": born, "employment_form": form, "gig_occupation": _OCCUPATIONS[male].pick(rng) if gig else "",
        "education": _EDUCATION[gig].pick(rng), "household": household(rng, form),
        "join_date": earliest + timedelta(days=rng.randrange(span)) if span > 0 else joined_by,
        **traits(rng, form),
    }


def people(count: int, *, seed: int = 2026, start: int = 0, joined_by: date | None = None) -> Iterator[dict[str, Any]]:
    """``count`` people from index ``start`` on (a later run continues where an earlier one stopped)."""
    rng = stream(seed, "people", start)
    last = joined_by or date(2025, 12, 31)
    for index in range(start, start + count):
        yield person(index, rng, joined_by=last)


def person_rows(count: int, *, employers: Sequence[Employer], seed: int = 2026, start: int = 0) -> Iterator[list[Any]]:
    """Roster rows in the import template's column order (regular workers get an employer's credit
    code or name; gig workers usually none)."""
    rng = stream(seed, "roster", start)
    for p in people(count, seed=seed, start=start):
        employer = ""
        if employers and (p["employment_form"] == EmploymentForm.REGULAR or rng.random() < 0.2):
            chosen = rng.choice(employers)
            employer = chosen.uscc if rng.random() < 0.7 else chosen.name
        yield [p["name"], p["id_number"], p["phone"], employer, EmploymentForm(p["employment_form"]).label,
               GigOccupation(p["gig_occupation"]).label if p["gig_occupation"] else "",
               Education(p["education"]).label, Household(p["household"]).label, p["join_date"].isoformat(),
               ModelWorkerLevel(p["model_worker_level"]).label if p["model_worker_level"] else "",
               "是" if p["craftsman"] else "否",
               HardshipLevel(p["hardship_level"]).label if p["hardship_level"] else "",
               "是" if p["worker_representative"] else "否"]
