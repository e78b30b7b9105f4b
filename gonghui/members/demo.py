"""Demo members: some 20,000 real-name members spread over the demo province's unions and employers,
with the workflows around them — pending and decided join applications, an enrollment drive, open
and completed transfers, and personal-information rights requests.

The bulk is set-based (``bulk_create`` in batches): the encrypted fields and blind indexes are
filled in by the fields' ``pre_save``/``get_prep_value``, which ``bulk_create`` calls too; the
pinyin keys, set by ``Member.save()`` for a single row, are set here; card numbers are assigned per
batch (region prefix + primary key, as ``registry.card_number`` does). The handful of workflow
records go through the services, so their audit rows, timelines and notifications are the real
ones; their dates are then moved back into the past so that the queues look lived-in.

Who is where:

* members of a grassroots union work at its employer; members of an employer without its own union
  belong to the 工会联合会 or street union that takes that employer in (``member.union`` is always
  ``member.employer.union``);
* gig workers (新就业形态, about 15%) belong mostly to the joint unions of their trade or to street
  unions, often without an employer on file;
* ID numbers carry the region code of the district the member works in, a birth date in 1965–2004
  and a sequence whose parity is the gender;
* the named worker logins (职工 13900000010, 骑手 13900000011) and the other demo worker accounts are
  members linked to their accounts or applicants waiting for a decision.

The surname weights and phone prefixes below are shared with the synthetic data generator
(``gonghui/seed/people.py``, the ``seed`` command), which also uses the name, education and
tag tables; from roster come ``pinyin_keys`` and ``assign_card_numbers``. The generator draws
regions from all over China and birth dates from 1962–2006 and places people anywhere, so the demo
has its own generator here (``DemoIdentities``, ``demo_person``, ``Workplaces``).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.accounts.demo import WORKER_PASSWORD, DemoPeople
from gonghui.accounts.models import User
from gonghui.lib.idcard import check_char
from gonghui.lib.workdays import add_workdays
from gonghui.unions.demo import ANCHORS, CITIES, GIG, JOINT_UNIONS, DemoTree
from gonghui.unions.models import Employer, Union, UnionKind

from .models import (
    ApplicationStatus,
    Education,
    EmploymentForm,
    EnrollmentDrive,
    GigOccupation,
    HardshipLevel,
    Household,
    JoinApplication,
    Member,
    MembershipHistory,
    MemberStatus,
    ModelWorkerLevel,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Transfer,
    TransferEvent,
    TransferStatus,
)
from .services import joining, rights
from .services import transfer as transfers
from .services.registry import NOTICE_VERSION
from .services.roster import assign_card_numbers, pinyin_keys

DEFAULT_MEMBERS = 20_000
MIN_MEMBERS = 100  # below this the workflows (transfers, requests) run out of people to pick
GIG_SHARE = 0.15
BATCH = 2000

BORN_FIRST, BORN_LAST = date(1965, 1, 1), date(2004, 12, 31)
JOIN_YEARS = 10

# Phones of the demo accounts (139 0000 xxxx, 139 0001 xxxx …) are never given to generated members.
RESERVED_PHONE_PREFIX = "139000"
APPLICANT_PHONES_FROM = 13900030000

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
# Which kind of gig employer (unions.demo.GIG) and joint union an occupation belongs with.
OCCUPATION_KIND: dict[str, str] = {
    GigOccupation.COURIER: "express", GigOccupation.FOOD_DELIVERY: "delivery",
    GigOccupation.ONLINE_DELIVERY: "delivery", GigOccupation.RIDE_HAILING: "ride", GigOccupation.TRUCK: "truck",
}
# Joint unions that take in occupations without a gig employer kind of their own.
OCCUPATION_JOINT: dict[str, str] = {
    GigOccupation.STREAMER: "城西区商务楼宇工会联合会",
    GigOccupation.OTHER: "东关大街街道商户工会联合会",
    GigOccupation.DOMESTIC: "东关大街街道商户工会联合会",
}
# What a gig worker without an employer on file writes as their workplace.
SELF_EMPLOYED: dict[str, str] = {
    GigOccupation.FOOD_DELIVERY: "外卖平台众包骑手", GigOccupation.COURIER: "快递加盟网点",
    GigOccupation.RIDE_HAILING: "网约车平台（个人车主）", GigOccupation.TRUCK: "个体货运（自有车辆）",
    GigOccupation.ONLINE_DELIVERY: "同城即时配送平台", GigOccupation.DOMESTIC: "家政服务平台",
    GigOccupation.STREAMER: "直播平台（个人主播）", GigOccupation.OTHER: "灵活就业",
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
LEFT_SHARE = 0.02

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


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class DemoIdentities:
    """Unique resident ID numbers and phones for everyone the demo invents (members and applicants)."""

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
    adult = date(born.year + 18, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
    earliest = max(earliest, adult)
    span = (today - earliest).days
    return earliest + timedelta(days=rng.randrange(1, span)) if span > 1 else today


def _at(day: date, rng: random.Random, *, latest: datetime | None = None) -> datetime:
    """An aware moment during office hours of ``day`` (not after ``latest``)."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60))))
    return min(moment, latest) if latest is not None else moment


# --- Where they work ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    union: Union
    employer: Employer | None = None


def gig_kind(employer: Employer) -> str:
    """The gig employer kind (unions.demo.GIG) that the demo's employer names give away, or ""."""
    for kind, (_, trades, shop) in GIG.items():
        if any(word and word in employer.name for word in (*trades, shop)) and "货运代理" not in employer.name:
            return kind
    return ""


@dataclass
class Workplaces:
    """Weighted draws of where a member works, built once from the demo tree."""

    regular: list[Place]
    regular_cum: list[float]
    by_kind: dict[str, tuple[list[Employer], list[float]]]
    joint_by_kind: dict[str, Union]
    joint_employers: dict[int, list[Employer]]  # joint union pk → the employers it takes in
    streets: list[Union]
    street_cum: list[float]
    domestic: list[Employer]
    joint: dict[str, Union]
    districts_of_city: dict[str, list[tuple[str, float]]]  # city code → (district code, weight)
    established: list[Employer] = field(default_factory=list)

    @classmethod
    def of(cls, tree: DemoTree) -> Workplaces:
        regular: list[tuple[Place, float]] = []
        by_kind: dict[str, list[Employer]] = {}
        joint_employers: dict[int, list[Employer]] = {}
        street_of: Counter[int] = Counter()
        street_pks = {u.pk for u in tree.streets.values()}
        for employer in tree.employers:
            kind = gig_kind(employer)
            headcount = employer.employee_count or 1
            if kind:
                by_kind.setdefault(kind, []).append(employer)
            else:
                # Workers of employers without a union of their own join less often.
                regular.append((Place(employer.union, employer), headcount * (1.0 if employer.union_established
                                                                              else 0.35)))
            if employer.union.kind == UnionKind.JOINT:
                joint_employers.setdefault(employer.union.pk, []).append(employer)
            street_of.update(pk for pk in (*employer.union.ancestor_ids, employer.union.pk) if pk in street_pks)
        streets = list(tree.streets.values())
        joint_by_kind = {takes: tree.joint[name] for name, _, takes, _ in JOINT_UNIONS if takes in GIG}
        return cls(
            regular=[place for place, _ in regular], regular_cum=list(accumulate(w for _, w in regular)),
            by_kind={kind: (employers, list(accumulate(e.employee_count or 1 for e in employers)))
                     for kind, employers in by_kind.items()},
            joint_by_kind=joint_by_kind, joint_employers=joint_employers, streets=streets,
            street_cum=list(accumulate(1 + street_of.get(s.pk, 0) for s in streets)),
            domestic=[e for e in tree.employers if "家政" in e.name], joint=tree.joint,
            districts_of_city={city.code: [(d.code, d.weight) for d in city.districts] for city in CITIES},
            established=[e for e in tree.employers if e.union_established],
        )

    @staticmethod
    def _draw(rng: random.Random, items: Sequence[Any], cum: Sequence[float]) -> Any:
        return items[min(bisect(cum, rng.random() * cum[-1]), len(items) - 1)]

    def street(self, rng: random.Random) -> Place:
        return Place(self._draw(rng, self.streets, self.street_cum))

    def regular_place(self, rng: random.Random) -> Place:
        if not self.regular:
            return self.street(rng)
        return self._draw(rng, self.regular, self.regular_cum)

    def gig_place(self, rng: random.Random, occupation: str) -> Place:
        """Mostly the joint union of the trade (with or without an employer), else a gig employer of
        the trade wherever it is, else the street union where the worker lives."""
        kind = OCCUPATION_KIND.get(occupation, "")
        roll = rng.random()
        joint = self.joint_by_kind.get(kind) or self.joint.get(OCCUPATION_JOINT.get(occupation, ""))
        if joint is not None and roll < (0.6 if kind else 0.3):
            taken_in = [e for e in self.joint_employers.get(joint.pk, ()) if not kind or gig_kind(e) == kind]
            employer = rng.choice(taken_in) if taken_in and kind and rng.random() < 0.55 else None
            return Place(joint, employer)
        if kind in self.by_kind and roll < 0.85:
            employers, cum = self.by_kind[kind]
            employer = self._draw(rng, employers, cum)
            return Place(employer.union, employer)
        if occupation == GigOccupation.DOMESTIC and self.domestic and roll < 0.7:
            employer = rng.choice(self.domestic)
            return Place(employer.union, employer)
        return self.street(rng)

    def region(self, rng: random.Random, place: Place) -> str:
        """The 6-digit code of the district the member works in (for the ID number)."""
        if place.employer is not None:
            return place.employer.uscc[2:8]  # the credit code's registration authority
        code = place.union.region_code
        if len(code) > 6 or not code.endswith("00"):
            return code[:6]
        districts = self.districts_of_city.get(code) or [(d, w) for ds in self.districts_of_city.values()
                                                         for d, w in ds]
        return rng.choices([d for d, _ in districts], weights=[w for _, w in districts])[0]


# --- The bulk ------------------------------------------------------------------------------------------------------


@dataclass
class Person:
    """One generated member before insertion."""

    name: str
    id_number: str
    phone: str
    male: bool
    born: date
    place: Place
    occupation: str
    education: str
    household: str
    joined: date
    left_on: date | None = None
    user: User | None = None
    tags: dict[str, Any] = field(default_factory=dict)

    def member(self, rng: random.Random) -> Member:
        full, initials = pinyin_keys(self.name)
        online = self.user is not None
        created = _at(self.joined, rng)
        return Member(
            user=self.user, name=self.name, name_pinyin=full, name_initials=initials, id_number=self.id_number,
            phone=self.phone, gender="M" if self.male else "F", birth_date=self.born, education=self.education,
            household=self.household,
            employment_form=EmploymentForm.GIG if self.occupation else EmploymentForm.REGULAR,
            gig_occupation=self.occupation, employer=self.place.employer, union=self.place.union,
            join_date=self.joined, status=MemberStatus.LEFT if self.left_on else MemberStatus.ACTIVE,
            notice_version=NOTICE_VERSION if online else "", consented_at=created if online else None,
            created_at=created, **self.tags,
        )


def _tags(rng: random.Random, form: str) -> dict[str, Any]:
    tags: dict[str, Any] = {}
    roll = rng.random()
    for level, share in MODEL_WORKER.items():
        if roll < share:
            tags["model_worker_level"] = level
            break
        roll -= share
    roll = rng.random() * (1.6 if form == EmploymentForm.GIG else 1.0)
    for level, share in HARDSHIP.items():
        if roll < share:
            tags["hardship_level"] = level
            break
        roll -= share
    if rng.random() < CRAFTSMAN[form] + (0.3 if tags.get("model_worker_level") else 0):
        tags["craftsman"] = True
    if rng.random() < REPRESENTATIVE[form] + (0.5 if tags.get("model_worker_level") else 0):
        tags["worker_representative"] = True
    return tags


def demo_person(rng: random.Random, ids: DemoIdentities, places: Workplaces, *, today: date, occupation: str = "",
           place: Place | None = None) -> Person:
    """One member of the demo: a gig worker when ``occupation`` is given, else a regular worker."""
    form = EmploymentForm.GIG if occupation else EmploymentForm.REGULAR
    place = place or (places.gig_place(rng, occupation) if occupation else places.regular_place(rng))
    male = rng.random() < (GIG_MEN[occupation] if occupation else 0.56)
    born = birth_date(rng, occupation)
    joined = join_date(rng, born=born, today=today, gig=bool(occupation))
    left_on = None
    if rng.random() < LEFT_SHARE and (today - joined).days > 60:
        left_on = joined + timedelta(days=rng.randrange(30, (today - joined).days))
    return Person(
        name=ids.name(rng, male=male),
        id_number=ids.id_number(rng, region=places.region(rng, place), born=born, male=male),
        phone=ids.phone(rng), male=male, born=born, place=place, occupation=occupation,
        education=_pick(rng, EDUCATION_GIG if occupation else EDUCATION_REGULAR),
        household=Household.AGRICULTURAL if rng.random() < AGRICULTURAL[form] else Household.NON_AGRICULTURAL,
        joined=joined, left_on=left_on, tags=_tags(rng, form),
    )


def _insert(rng: random.Random, persons: Sequence[Person]) -> list[Member]:
    """Members, their card numbers and their history rows, in batches."""
    members: list[Member] = []
    for start in range(0, len(persons), BATCH):
        chunk = persons[start:start + BATCH]
        batch = Member.objects.bulk_create([p.member(rng) for p in chunk], batch_size=500)
        assign_card_numbers([(m.pk, m.union_id) for m in batch])
        history: list[MembershipHistory] = []
        for p, member in zip(chunk, batch, strict=True):
            history.append(MembershipHistory(
                member=member, to_union=member.union, to_status=MemberStatus.ACTIVE, event="join",
                reason=rng.choice(GIG_JOIN_REASONS if p.occupation else REGULAR_JOIN_REASONS),
                created_at=member.created_at))
            if p.left_on is not None:
                history.append(MembershipHistory(
                    member=member, from_union=member.union, to_union=member.union, from_status=MemberStatus.ACTIVE,
                    to_status=MemberStatus.LEFT, event="left",
                    reason="退休" if p.born.year < 1968 else rng.choice(LEAVE_REASONS), created_at=_at(p.left_on, rng)))
        MembershipHistory.objects.bulk_create(history, batch_size=500)
        members.extend(batch)
    return members


# --- Named logins and worker accounts ----------------------------------------------------------------------------

WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"
RIDER_JOINT = "城中区外卖配送行业工会联合会"


def _employer(tree: DemoTree, name: str) -> Employer | None:
    return next((e for e in tree.employers if e.name == name), None)


def _named(rng: random.Random, tree: DemoTree, people: DemoPeople, ids: DemoIdentities, places: Workplaces,
           today: date) -> list[Person]:
    """王小明 works at the anchor dairy (城东区, its own union); 李骑手 delivers food in 城中区."""
    named: list[Person] = []
    worker = people.named.get(WORKER_PHONE)
    if worker is not None:
        east = tree.districts["城东区"].path
        dairy = _employer(tree, ANCHORS[0]["name"]) or next(
            (e for e in places.established if e.union.path.startswith(east)), None)
        place = Place(dairy.union, dairy) if dairy is not None else places.regular_place(rng)
        born = date(1991, 6, 18)
        named.append(Person(
            name=worker.name, id_number=ids.id_number(rng, region=places.region(rng, place), born=born, male=True),
            phone=worker.phone, male=True, born=born, place=place, occupation="", education=Education.COLLEGE,
            household=Household.NON_AGRICULTURAL, joined=today - timedelta(days=4 * 365 + 37), user=worker,
            tags={"worker_representative": True}))
    rider = people.named.get(RIDER_PHONE)
    if rider is not None:
        joint = tree.joint[RIDER_JOINT]
        outfit = next((e for e in tree.employers if e.union_id == joint.pk and gig_kind(e) == "delivery"), None)
        place = Place(joint, outfit)
        born = date(1998, 3, 9)
        named.append(Person(
            name=rider.name, id_number=ids.id_number(rng, region=places.region(rng, place), born=born, male=True),
            phone=rider.phone, male=True, born=born, place=place, occupation=GigOccupation.FOOD_DELIVERY,
            education=Education.SENIOR, household=Household.AGRICULTURAL, joined=today - timedelta(days=410),
            user=rider))
    return named


def _accounts(rng: random.Random, people: DemoPeople, ids: DemoIdentities, needed: int) -> list[User]:
    """The plain worker accounts, topped up with new ones (same published password) when the accounts
    demo made fewer than the members' workflows need."""
    accounts = list(people.workers)
    missing = needed - len(accounts)
    if missing > 0:
        password = accounts[0].password if accounts else make_password(WORKER_PASSWORD)
        extra = [User(phone=str(APPLICANT_PHONES_FROM + i), name=ids.name(rng, male=rng.random() < 0.6),
                      password=password)
                 for i in range(missing)]
        accounts += User.objects.bulk_create(extra, batch_size=250)
    return accounts


# --- Workflows through the services ------------------------------------------------------------------------------

PENDING = 40
DRIVE_PENDING, DRIVE_APPROVED = 8, 5
APPROVED, REJECTED, WITHDRAWN = 4, 3, 1
AWAITING_RELEASE, AWAITING_ACCEPT, COMPLETED, REFUSED, CANCELLED = 5, 5, 4, 1, 1
RIGHTS = (
    (RightsRequestKind.CORRECTION, "本人手机号已更换，请将会员信息中的手机号更新为新号码。"),
    (RightsRequestKind.CORRECTION, "学历登记有误：我已取得本科学历，请更正。"),
    (RightsRequestKind.WITHDRAW_CONSENT, "不再使用线上服务，撤回对个人信息处理的同意。"),
    (RightsRequestKind.DELETION, "已离开青海，申请删除我在平台上的个人信息。"),
)
LINKED = AWAITING_RELEASE + CANCELLED + len(RIGHTS)
APPLICANTS = PENDING + DRIVE_APPROVED + APPROVED + REJECTED + WITHDRAWN
DRIVE_UNION = "城东区快递行业工会联合会"
REJECT_REASONS = (
    "所填工作单位与申请加入的工会不符，请选择所在单位的工会重新申请。",
    "身份证号码与姓名不一致，请核对后重新提交。",
    "经核实您已在原单位工会登记会籍，请办理会籍转移，无需重新入会。",
)
TRANSFER_REASONS = ("工作调动", "更换工作单位", "家庭搬迁，到新单位就业", "原单位停产，到新单位上班")
REFUSAL = "经核实，该职工未在我单位就业，请核实后重新办理。"


@dataclass
class Workflows:
    pending: int = 0
    decided: int = 0
    open_transfers: int = 0
    closed_transfers: int = 0
    rights_requests: int = 0


def _staff(union: Union) -> User | None:
    """Writing staff nearest to ``union`` (its own, else the closest ancestor's)."""
    found = transfers.staff_to_notify(union)
    return found[0] if found else None


def _submit(rng: random.Random, ids: DemoIdentities, places: Workplaces, user: User, place: Place, *,
            occupation: str = "", drive: EnrollmentDrive | None = None, submitted: datetime) -> JoinApplication:
    male = rng.random() < (GIG_MEN[occupation] if occupation else 0.56)
    born = birth_date(rng, occupation)
    application = joining.application_submit(
        applicant=user, union=place.union, name=user.name,
        id_number=ids.id_number(rng, region=places.region(rng, place), born=born, male=male), phone=user.phone,
        notice_version=NOTICE_VERSION, consented_at=submitted,
        education=_pick(rng, EDUCATION_GIG if occupation else EDUCATION_REGULAR),
        household=(Household.AGRICULTURAL if rng.random() < AGRICULTURAL[EmploymentForm.GIG if occupation
                                                                       else EmploymentForm.REGULAR]
                   else Household.NON_AGRICULTURAL),
        employment_form=EmploymentForm.GIG if occupation else EmploymentForm.REGULAR, gig_occupation=occupation,
        employer=place.employer, employer_name="" if place.employer else SELF_EMPLOYED.get(occupation, ""),
        drive=drive)
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=submitted)
    application.submitted_at = submitted
    return application


def _submitted(rng: random.Random, today: date, now: datetime, workdays_ago: int) -> datetime:
    day = add_workdays(today, -workdays_ago) if workdays_ago else today
    return _at(day, rng, latest=now - timedelta(minutes=rng.randint(5, 120)))


def _application_places(rng: random.Random, tree: DemoTree, places: Workplaces) -> list[tuple[Place, str]]:
    """Where the (non-drive) applicants want to join: the anchor union, employers' unions (a third
    of them in 城东区, the named officers' district) and the joint unions of gig trades."""
    east = tree.districts["城东区"].path
    anchor = _employer(tree, ANCHORS[0]["name"])
    east_employers = [e for e in places.established if e.union.path.startswith(east)]
    targets: list[tuple[Place, str]] = []
    if anchor is not None:
        targets += [(Place(anchor.union, anchor), "")] * 2
    while len(targets) < PENDING - DRIVE_PENDING:
        roll = rng.random()
        if roll < 0.4:
            occupation = _pick(rng, GIG_OCCUPATIONS)
            targets.append((places.gig_place(rng, occupation), occupation))
        elif roll < 0.6 and east_employers:
            employer = rng.choice(east_employers)
            targets.append((Place(employer.union, employer), ""))
        else:
            targets.append((places.regular_place(rng), ""))
    return targets


def _approve_backdated(actor: User, application: JoinApplication, decided: datetime) -> Member:
    member = joining.application_approve(actor=actor, application=application)
    JoinApplication.objects.filter(pk=application.pk).update(decided_at=decided)
    Member.objects.filter(pk=member.pk).update(join_date=timezone.localdate(decided), created_at=decided,
                                               consented_at=application.submitted_at)
    MembershipHistory.objects.filter(member=member).update(created_at=decided)
    return member


def _build_applications(rng: random.Random, tree: DemoTree, people: DemoPeople, ids: DemoIdentities,
                        places: Workplaces, applicants: list[User], today: date, now: datetime) -> Workflows:
    done = Workflows()
    queue = iter(applicants)
    express = tree.joint[DRIVE_UNION]
    organizer = _staff(express) or people.province_admin
    drive = joining.drive_create(actor=organizer, union=express, name=f"{today.year}年快递行业集中入会",
                                 starts_on=today - timedelta(days=45), ends_on=today + timedelta(days=40))
    EnrollmentDrive.objects.filter(pk=drive.pk).update(created_at=_at(drive.starts_on, rng))
    outlets = [e for e in places.joint_employers.get(express.pk, ()) if gig_kind(e) == "express"]

    def courier() -> Place:
        return Place(express, rng.choice(outlets) if outlets and rng.random() < 0.6 else None)

    # Decided first (they were submitted earlier): approved through the drive and directly, rejected.
    for i in range(DRIVE_APPROVED):
        submitted = _submitted(rng, today, now, rng.randint(15, 30))
        application = _submit(rng, ids, places, next(queue), courier(), occupation=GigOccupation.COURIER,
                              drive=drive, submitted=submitted)
        _approve_backdated(organizer, application, _at(add_workdays(submitted.date(), 1 + i % 2), rng, latest=now))
        done.decided += 1
    for i in range(APPROVED + REJECTED):
        occupation = _pick(rng, GIG_OCCUPATIONS) if i % 3 == 2 else ""
        place = places.gig_place(rng, occupation) if occupation else places.regular_place(rng)
        submitted = _submitted(rng, today, now, rng.randint(8, 40))
        application = _submit(rng, ids, places, next(queue), place, occupation=occupation, submitted=submitted)
        actor = _staff(place.union) or people.province_admin
        decided = _at(add_workdays(submitted.date(), rng.randint(1, 3)), rng, latest=now)
        if i < APPROVED:
            _approve_backdated(actor, application, decided)
        else:
            joining.application_reject(actor=actor, application=application,
                                       reason=REJECT_REASONS[(i - APPROVED) % len(REJECT_REASONS)])
            JoinApplication.objects.filter(pk=application.pk).update(decided_at=decided)
        done.decided += 1
    for _ in range(WITHDRAWN):
        user = next(queue)
        application = _submit(rng, ids, places, user, places.regular_place(rng),
                              submitted=_submitted(rng, today, now, rng.randint(5, 12)))
        joining.application_withdraw(applicant=user, application=application)
        done.decided += 1

    # Pending: about a third have waited more than three working days (flagged in the queue).
    targets = [(courier(), GigOccupation.COURIER, drive) for _ in range(DRIVE_PENDING)]
    targets += [(place, occupation, None) for place, occupation in _application_places(rng, tree, places)]
    for i, (place, occupation, in_drive) in enumerate(targets):
        waited = rng.randint(4, 15) if i % 3 == 0 else rng.randint(0, 3)
        _submit(rng, ids, places, next(queue), place, occupation=occupation, drive=in_drive,
                submitted=_submitted(rng, today, now, waited))
        done.pending += 1
    return done


def _backdate_transfer(transfer: Transfer, started: datetime, ended: datetime) -> None:
    Transfer.objects.filter(pk=transfer.pk).update(created_at=started, updated_at=ended)
    events = list(TransferEvent.objects.filter(transfer=transfer).order_by("id"))
    for i, event in enumerate(events):
        event.created_at = started if i < len(events) - 1 or len(events) == 1 else ended
    TransferEvent.objects.bulk_update(events, ["created_at"])
    MembershipHistory.objects.filter(member_id=transfer.member_id, event="transfer_start").update(created_at=started)
    MembershipHistory.objects.filter(member_id=transfer.member_id, created_at__gt=ended).exclude(
        event="transfer_start").update(created_at=ended)


def _build_transfers(rng: random.Random, tree: DemoTree, people: DemoPeople, places: Workplaces,
                     movers: list[Member], candidates: list[Member], today: date, now: datetime) -> Workflows:
    """Open transfers in both states, completed, refused and cancelled ones, through the services."""
    done = Workflows()
    east = tree.districts["城东区"].path
    targets = places.established
    east_targets = [e for e in targets if e.union.path.startswith(east)] or targets

    def target(member: Member, i: int) -> Employer | None:
        pool = [e for e in (east_targets if i % 2 == 0 else targets) if e.union_id != member.union_id]
        return rng.choice(pool) if pool else None

    def reason() -> str:
        return rng.choice(TRANSFER_REASONS)

    # Started by the members themselves: waiting for their union to let them go (or withdrawn).
    for i, member in enumerate(movers[:AWAITING_RELEASE + CANCELLED]):
        employer = target(member, i)
        if employer is None:
            continue
        transfer = transfers.transfer_start(actor=member.user, member=member, to_union=employer.union,
                                            to_employer=employer, reason=f"{reason()}，到{employer.name}工作")
        if i < AWAITING_RELEASE:
            started = _at(add_workdays(today, -rng.randint(0, 8)), rng, latest=now - timedelta(minutes=30))
            _backdate_transfer(transfer, started, started)
            done.open_transfers += 1
        else:
            transfers.transfer_cancel(actor=member.user, transfer=transfer, reason="新单位入职推迟，暂不转会")
            started = _at(add_workdays(today, -rng.randint(10, 20)), rng)
            _backdate_transfer(transfer, started, started + timedelta(days=1))
            done.closed_transfers += 1
    # Started by the source union's staff (released at once): waiting for the target, or done.
    staffed = [m for m in candidates if _staff(m.union) is not None]
    for i, member in enumerate(staffed[:AWAITING_ACCEPT + COMPLETED + REFUSED]):
        employer = target(member, i)
        if employer is None:
            continue
        source = _staff(member.union)
        transfer = transfers.transfer_start(actor=source, member=member, to_union=employer.union,
                                            to_employer=employer, reason=reason())
        if i < AWAITING_ACCEPT:
            started = _at(add_workdays(today, -rng.randint(1, 10)), rng, latest=now - timedelta(minutes=30))
            _backdate_transfer(transfer, started, started)
            done.open_transfers += 1
            continue
        receiver = _staff(employer.union) or people.province_admin
        started = _at(today - timedelta(days=rng.randint(30, 200)), rng)
        ended = _at(add_workdays(started.date(), rng.randint(1, 4)), rng)
        if i < AWAITING_ACCEPT + COMPLETED:
            transfers.transfer_accept(actor=receiver, transfer=transfer, note="已接收，欢迎加入")
        else:
            transfers.transfer_refuse(actor=receiver, transfer=transfer, reason=REFUSAL)
        _backdate_transfer(transfer, started, ended)
        done.closed_transfers += 1
    return done


def _build_rights(rng: random.Random, members: list[Member], today: date, now: datetime) -> int:
    made = 0
    for member, (kind, details) in zip(members, RIGHTS, strict=False):
        request = rights.rights_request_create(actor=member.user, member=member, kind=kind, details=details)
        created = _at(add_workdays(today, -rng.randint(0, 6)), rng, latest=now - timedelta(minutes=10))
        RightsRequest.objects.filter(pk=request.pk).update(created_at=created)
        made += 1
    return made


# --- The builder ---------------------------------------------------------------------------------------------------


@dataclass
class DemoMembers:
    members: int = 0
    workflows: Workflows = field(default_factory=Workflows)


def build_members(rng: random.Random, tree: DemoTree, people: DemoPeople, *,
                  count: int = DEFAULT_MEMBERS) -> DemoMembers:
    """``count`` members over the demo tree (the named worker logins among them, the other worker
    accounts linked to some of them or applying to join), then the workflow records around them.

    Preconditions: inside a transaction; ``tree`` and ``people`` were just built by the unions and
    accounts demos; ``count`` ≥ MIN_MEMBERS.
    """
    if count < MIN_MEMBERS:
        raise ValueError(f"the members demo needs at least {MIN_MEMBERS} members")
    today = timezone.localdate()
    now = timezone.now()
    ids = DemoIdentities()
    places = Workplaces.of(tree)

    persons = _named(rng, tree, people, ids, places, today)
    gig = round(count * GIG_SHARE) - sum(1 for p in persons if p.occupation)
    regular = count - len(persons) - gig
    occupations = [_pick(rng, GIG_OCCUPATIONS) for _ in range(gig)] + [""] * regular
    rng.shuffle(occupations)
    persons += [demo_person(rng, ids, places, today=today, occupation=occupation) for occupation in occupations]

    # The plain worker accounts: the first apply to join, the rest are members (found by their account).
    accounts = _accounts(rng, people, ids, APPLICANTS + LINKED)
    applicants, linked = accounts[:APPLICANTS], accounts[APPLICANTS:]
    linkable = [p for p in persons[len(persons) - len(occupations):]
                if not p.occupation and not p.left_on and p.place.employer is not None
                and p.place.employer.union_established and (today - p.joined).days > 90]
    for p, user in zip(rng.sample(linkable, min(len(linked), len(linkable))), linked, strict=False):
        p.user, p.name, p.phone = user, user.name, user.phone

    members = _insert(rng, persons)
    done = DemoMembers(members=len(members))
    done.workflows = _build_applications(rng, tree, people, ids, places, applicants, today, now)
    with_user = [m for m in members if m.user_id is not None and m.user_id not in
                 {people.named[p].pk for p in (WORKER_PHONE, RIDER_PHONE) if p in people.named}]
    rng.shuffle(with_user)
    linked_ids = {m.pk for m in with_user}
    candidates = [m for m in members if m.status == MemberStatus.ACTIVE and m.user_id is None
                  and m.pk not in linked_ids and not m.gig_occupation and (today - m.join_date).days > 365]
    candidates = rng.sample(candidates, min(len(candidates), 40))
    moved = _build_transfers(rng, tree, people, places, with_user[:AWAITING_RELEASE + CANCELLED], candidates,
                             today, now)
    done.workflows.open_transfers, done.workflows.closed_transfers = moved.open_transfers, moved.closed_transfers
    done.workflows.rights_requests = _build_rights(rng, with_user[AWAITING_RELEASE + CANCELLED:], today, now)
    return done


def counts() -> dict[str, Any]:
    """What the registry holds, for the demo command's summary."""
    members = Member.objects.aggregate(
        total=Count("id"), current=Count("id", filter=Q(status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING])),
        gig=Count("id", filter=Q(employment_form=EmploymentForm.GIG)),
        migrant=Count("id", filter=Q(household=Household.AGRICULTURAL)),
        model=Count("id", filter=~Q(model_worker_level="")), hardship=Count("id", filter=~Q(hardship_level="")),
        linked=Count("id", filter=Q(user__isnull=False)),
    )
    applications = Counter(JoinApplication.objects.values_list("status", flat=True))
    transfer_states = Counter(Transfer.objects.values_list("status", flat=True))
    return {
        **members,
        "applications": {ApplicationStatus(s).label: n for s, n in sorted(applications.items())},
        "pending": applications.get(ApplicationStatus.PENDING, 0),
        "drives": EnrollmentDrive.objects.count(),
        "open_transfers": sum(transfer_states.get(s, 0) for s in transfers.OPEN_STATUSES),
        "transfers": {TransferStatus(s).label: n for s, n in sorted(transfer_states.items())},
        "rights_pending": RightsRequest.objects.filter(status=RightsRequestStatus.PENDING).count(),
    }
