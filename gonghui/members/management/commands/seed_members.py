"""``python -m gonghui seed_members --count N [--union UUID] [--seed S]``: realistic members, fast.

Deterministic: a seed always gives the same people. Names are drawn from the common surnames
(weighted roughly by frequency) and given-name characters; ID numbers are valid (GB 11643 check
character), unique, with real region codes; phones are unique; about 15% are gig workers
(新就业形态), with the usual spread of occupations. Used by the benchmarks in bench/, which also
use ``person_rows`` to build roster files in the import template's column order.

Rows go in with bulk_create through the model's fields (so ID and phone are encrypted and their
blind indexes computed exactly as for any other member), with card numbers set per batch.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from gonghui.lib import crypto
from gonghui.lib.idcard import check_char
from gonghui.lib.uscc import ALPHABET
from gonghui.lib.uscc import check_char as uscc_check_char
from gonghui.unions import services as union_services
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel

from ...services.roster import insert_members, pinyin_keys

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
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉建华晶浩玲红梅丹宇飞鑫波斌宁凯"
         "慧婷燕雪峰琳浩然欣怡子涵梓轩雨桐一诺思远晨曦嘉怡俊杰志强建国海燕春花秋月冬梅国庆学军卫东红军"
         "德明文博天佑泽宇佳琪梦瑶子墨若汐亦菲彦博锦程海洋永福金凤玉珍淑珍桂芳秀云凤英")
REGIONS = ("630102", "630103", "630104", "630105", "630121", "630123", "630202", "632122", "110105", "120104",
           "130102", "140105", "210102", "320102", "330106", "340104", "350102", "370102", "410105", "420106",
           "430104", "440106", "500103", "510104", "520102", "530102", "610104", "620102", "640104", "650102")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                  "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189",
                  "191", "199")
GIG = (("food_delivery", 35), ("courier", 30), ("ride_hailing", 15), ("truck", 10), ("online_delivery", 5),
       ("domestic", 3), ("streamer", 2))
GIG_LABELS = {"food_delivery": "外卖送餐员", "courier": "快递员", "ride_hailing": "网约车司机", "truck": "货车司机",
              "online_delivery": "网约配送员", "domestic": "家政服务员", "streamer": "网络主播"}
EDUCATION = (("primary", 4), ("junior", 25), ("senior", 30), ("college", 22), ("bachelor", 17), ("postgraduate", 2))
EDUCATION_LABELS = {"primary": "小学及以下", "junior": "初中", "senior": "高中/中专/技校", "college": "大专",
                    "bachelor": "本科", "postgraduate": "研究生"}
GIG_SHARE = 0.15
_FIRST_DAY = date(1962, 1, 1)
_DAYS = (date(2006, 12, 31) - _FIRST_DAY).days + 1
_ID_SPACE = _DAYS * 1000  # (birth day, sequence) pairs: every person gets a distinct one


def _coprime(n: int, start: int) -> int:
    candidate = start
    while math.gcd(candidate, n) != 1:
        candidate += 1
    return candidate


_ID_STEP = _coprime(_ID_SPACE, 7_919_993)
_PHONE_STEP = _coprime(10 ** 8, 48_271_009)


def person(index: int, rng: random.Random) -> dict[str, Any]:
    """The ``index``-th person of a seeded stream. IDs and phones are distinct for distinct indexes
    (a bijection of the index), so no retry or lookup is needed, even for millions of rows."""
    surname = rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    slot = (index * _ID_STEP) % _ID_SPACE
    born = _FIRST_DAY + timedelta(days=slot // 1000)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{slot % 1000:03d}"
    phone = f"{rng.choice(PHONE_PREFIXES)}{(index * _PHONE_STEP) % 10 ** 8:08d}"
    gig = rng.random() < GIG_SHARE
    return {
        "name": surname + given, "id_number": body + check_char(body), "phone": phone,
        "gender": "M" if int(body[16]) % 2 else "F", "birth_date": born,
        "employment_form": "gig" if gig else "regular",
        "gig_occupation": rng.choices([g for g, _ in GIG], weights=[w for _, w in GIG])[0] if gig else "",
        "education": rng.choices([e for e, _ in EDUCATION], weights=[w for _, w in EDUCATION])[0],
        "household": "agricultural" if rng.random() < (0.6 if gig else 0.3) else "non_agricultural",
        "join_date": _join_date(born, rng),
        "model_worker_level": "city" if rng.random() < 0.003 else "",
        "craftsman": rng.random() < 0.01, "hardship_level": "general" if rng.random() < 0.02 else "",
        "worker_representative": rng.random() < 0.05,
    }


def _join_date(born: date, rng: random.Random) -> date:
    """Some day between the 18th birthday (or 2000) and the end of 2025."""
    earliest = max(date(2000, 1, 1), date(born.year + 18, born.month, 28 if born.month == 2 else born.day))
    return earliest + timedelta(days=rng.randrange(max((date(2025, 12, 31) - earliest).days, 1)))


def people(count: int, *, seed: int = 2026, start: int = 0) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data
    for index in range(start, start + count):
        yield person(index, rng)


def person_rows(count: int, *, employers: Sequence[Employer], seed: int = 2026, start: int = 0) -> Iterator[list[Any]]:
    """Roster rows in the import template's column order (regular workers get an employer's credit
    code or name; gig workers usually none)."""
    rng = random.Random(seed + 1)  # noqa: S311 - deterministic sample data
    for p in people(count, seed=seed, start=start):
        employer = ""
        if employers and (p["employment_form"] == "regular" or rng.random() < 0.2):
            chosen = rng.choice(employers)
            employer = chosen.uscc if rng.random() < 0.7 else chosen.name
        yield [p["name"], p["id_number"], p["phone"], employer,
               "新就业形态劳动者" if p["employment_form"] == "gig" else "单位职工",
               GIG_LABELS.get(p["gig_occupation"], ""), EDUCATION_LABELS[p["education"]],
               "农业户口" if p["household"] == "agricultural" else "非农业户口", p["join_date"].isoformat(),
               "市级劳模" if p["model_worker_level"] else "", "是" if p["craftsman"] else "否",
               "一般困难" if p["hardship_level"] else "", "是" if p["worker_representative"] else "否"]


def uscc(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def bench_tree(*, cities: int = 2, districts: int = 4, grassroots: int = 5, employers_each: int = 2,
               seed: int = 2026) -> dict[str, Any]:
    """A province → cities → districts → grassroots tree with employers, for benchmarks and load tests.
    Returns {"province", "cities", "districts", "grassroots", "employers"}."""
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data
    make = union_services.union_create
    province = make(actor=None, parent=None, name="压测省总工会", kind=UnionKind.FEDERATION, level=UnionLevel.PROVINCE,
                    region_code="630000", audited=False)
    tree: dict[str, Any] = {"province": province, "cities": [], "districts": [], "grassroots": [], "employers": []}
    for c in range(cities):
        city = make(actor=None, parent=province, name=f"压测{c + 1}市总工会", kind=UnionKind.FEDERATION,
                    level=UnionLevel.CITY, region_code=f"63{c + 1:02d}00", audited=False)
        tree["cities"].append(city)
        for d in range(districts):
            region = f"63{c + 1:02d}{d + 1:02d}"
            district = make(actor=None, parent=city, name=f"压测{c + 1}市{d + 1}区总工会", kind=UnionKind.FEDERATION,
                            level=UnionLevel.DISTRICT, region_code=region, audited=False)
            tree["districts"].append(district)
            for g in range(grassroots):
                union = make(actor=None, parent=district, name=f"压测{c + 1}-{d + 1}-{g + 1}公司工会", audited=False)
                tree["grassroots"].append(union)
                for e in range(employers_each):
                    tree["employers"].append(Employer.objects.create(
                        name=f"压测{c + 1}-{d + 1}-{g + 1}-{e + 1}有限公司", uscc=uscc(rng, region), union=union))
    return tree


def seed_members(count: int, *, unions: Sequence[Union], seed: int = 2026, start: int = 0, batch: int = 5000,
                 progress: Any = None) -> int:
    """Insert ``count`` generated members spread over ``unions``, in batches of one transaction each."""
    rng = random.Random(seed + 2)  # noqa: S311 - deterministic sample data
    now = timezone.now()
    union_ids = [u.pk for u in unions]
    done = 0
    stream = people(count, seed=seed, start=start)
    while done < count:
        rows = []
        for p in (next(stream) for _ in range(min(batch, count - done))):
            full, initials = pinyin_keys(p["name"])
            rows.append({**p, "name_pinyin": full, "name_initials": initials, "union_id": rng.choice(union_ids),
                         "id_index": crypto.blind_index("id", p["id_number"]),
                         "phone_index": crypto.blind_index("phone", p["phone"]), "created_at": now})
        with transaction.atomic():
            insert_members(rows)
        done += len(rows)
        if progress:
            progress(done)
    return done


class Command(BaseCommand):
    help = "生成逼真的演示会员（确定性：同一种子得到同样的人），用于压测和演示。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10_000, help="会员人数")
        parser.add_argument("--union", help="放入该工会的各基层工会（UUID）；不填则新建一棵压测组织树")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--start", type=int, default=0, help="从第几个人开始（续加时避免重复）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["union"]:
            top = Union.objects.filter(uuid=options["union"]).first()
            if top is None:
                raise CommandError("找不到该工会")
            unions = list(Union.objects.subtree(top).filter(kind=UnionKind.GRASSROOTS)) or [top]
        else:
            unions = bench_tree(seed=options["seed"])["grassroots"]
        started = time.perf_counter()
        done = seed_members(options["count"], unions=unions, seed=options["seed"], start=options["start"],
                            progress=lambda n: self.stdout.write(f"  {n} …") if n % 100_000 == 0 else None)
        self.stdout.write(self.style.SUCCESS(f"已生成 {done} 名会员，用时 {time.perf_counter() - started:.1f} 秒"))
