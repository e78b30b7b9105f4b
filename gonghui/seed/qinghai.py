"""The demo province (``gonghui demo``): Qinghai's province, two cities, their districts, streets and
towns with their grids, the cities' industry unions, the joint unions of the gig trades, parks and
office buildings, and some 500 employers on file with the grassroots unions of those that have one.

Everything is drawn from the demo's one ``random.Random(seed)``, so a seed always gives the same
tree, names and credit codes. Region codes are the real GB/T 2260 codes of Qinghai, Xining and
Haidong; the 9-digit street/town codes follow the national scheme (streets 0xx, towns 1xx) but are
made up, and so is every employer. The companies' trades and sizes come from ``trades.py``, as the
benchmark's do. The named employers the demo logins rely on (``unions.demo.ANCHORS``) come first;
the accounts, field work and members are built on the tree by the demo command after this.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from gonghui.lib.uscc import ALPHABET, check_char, normalize_uscc
from gonghui.unions import services
from gonghui.unions.demo import ANCHORS, DEFAULT_EMPLOYERS
from gonghui.unions.models import Employer, EmployerSize, Grid, Union, UnionKind, UnionLevel

from .base import Weighted
from .trades import BRAND_WORDS, ESTABLISHED, GIG, HEADCOUNT, SHOPS, SIZE_WEIGHTS, TRADES

# --- Geography (GB/T 2260) ------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short: str  # the name as it appears in company names ("城东", "互助")
    weight: float  # share of the employers
    roads: tuple[str, ...]
    streets: tuple[str, ...]  # 街道 first, then 镇


@dataclass(frozen=True)
class City:
    code: str
    name: str
    short: str
    districts: tuple[District, ...]


PROVINCE_CODE, PROVINCE_NAME, PROVINCE_SHORT = "630000", "青海省", "青海"

CITIES: tuple[City, ...] = (
    City("630100", "西宁市", "西宁", (
        District("630102", "城东区", "城东", 1.3,
                 ("八一中路", "东关大街", "建国路", "互助中路", "共和路", "昆仑东路", "德令哈路", "中庄路"),
                 ("东关大街街道", "清真巷街道", "大众街街道", "周家泉街道", "火车站街道", "八一路街道", "林家崖街道",
                  "韵家口镇")),
        District("630103", "城中区", "城中", 1.2,
                 ("南大街", "西大街", "长江路", "南川东路", "南川西路", "南山路", "人民街", "南关街"),
                 ("人民街街道", "南滩街道", "仓门街街道", "礼让街街道", "饮马街街道", "南川东路街道", "南川西路街道",
                  "总寨镇")),
        District("630104", "城西区", "城西", 1.3,
                 ("五四大街", "胜利路", "黄河路", "海晏路", "西关大街", "冷湖路", "新宁路", "文汇路", "五四西路"),
                 ("西关大街街道", "古城台街道", "虎台街道", "胜利路街道", "兴海路街道", "文汇路街道", "通海路街道",
                  "彭家寨镇")),
        District("630105", "城北区", "城北", 1.2,
                 ("柴达木路", "祁连路", "宁张路", "朝阳东路", "小桥大街", "经二路", "纬二路"),
                 ("朝阳街道", "小桥大街街道", "马坊街道", "火车西站街道", "大堡子镇", "廿里铺镇")),
        District("630106", "湟中区", "湟中", 0.9,
                 ("金塔路", "迎宾路", "康川路", "滨河路", "园区路"),
                 ("鲁沙尔镇", "多巴镇", "甘河滩镇", "上新庄镇", "田家寨镇")),
    )),
    City("630200", "海东市", "海东", (
        District("630202", "乐都区", "乐都", 0.8, ("古城大街", "朝阳路", "滨河路", "南大街", "碾伯路"),
                 ("碾伯镇", "高庙镇", "洪水镇", "雨润镇", "瞿昙镇")),
        District("630203", "平安区", "平安", 0.6, ("平安大道", "湟中路", "金沙路", "古驿大道"),
                 ("平安镇", "小峡镇", "三合镇")),
        District("630222", "民和回族土族自治县", "民和", 0.6, ("团结路", "湟水路", "川垣大街", "统一街"),
                 ("川口镇", "古鄯镇", "马营镇", "官亭镇")),
        District("630223", "互助土族自治县", "互助", 0.6, ("鼓楼西街", "南街", "彩虹路", "西大街"),
                 ("威远镇", "丹麻镇", "高寨镇", "南门峡镇")),
    )),
)


def street_code(district: District, street: str) -> str:
    """A 9-digit township code: the district's code, then 0xx for a 街道 and 1xx for a 镇."""
    streets = [s for s in district.streets if s.endswith("街道")]
    if street in streets:
        return f"{district.code}{streets.index(street) + 1:03d}"
    towns = [s for s in district.streets if not s.endswith("街道")]
    return f"{district.code}{100 + towns.index(street) + 1:03d}"


# 产业工会 under the cities, and the industries whose grassroots unions some of them take in.
INDUSTRY_UNIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "西宁市": (("西宁市教育工会", ("P",)), ("西宁市卫生健康工会", ("Q",)), ("西宁市建设建材工会", ("E",)),
              ("西宁市财贸轻纺烟草工会", ("F", "H", "J"))),
    "海东市": (("海东市教育工会", ("P",)), ("海东市交通运输工会", ("G",))),
}

# 工会联合会: (name, parent name, kind of employer it takes in, where those employers must be)
JOINT_UNIONS: tuple[tuple[str, str, str, str], ...] = (
    ("城东区快递行业工会联合会", "城东区", "express", "城东区"),
    ("城中区外卖配送行业工会联合会", "城中区", "delivery", "城中区"),
    ("西宁市网约车行业工会联合会", "西宁市", "ride", "西宁市"),
    ("海东市货车司机工会联合会", "海东市", "truck", "海东市"),
    ("城西区商务楼宇工会联合会", "城西区", "office", "城西区"),
    ("东关大街街道商户工会联合会", "东关大街街道", "shop", "东关大街街道"),
    ("多巴镇工业园区工会联合会", "多巴镇", "factory", "多巴镇"),
)

# --- Places and names ------------------------------------------------------------------

# Busier streets and towns (city centres, industrial parks) hold more employers than the rest.
HUB_STREETS = {"东关大街街道": 3.0, "八一路街道": 2.0, "南滩街道": 2.0, "胜利路街道": 2.0, "小桥大街街道": 2.0,
               "多巴镇": 3.0, "碾伯镇": 2.0, "平安镇": 2.0, "川口镇": 2.0, "威远镇": 2.0}

COMMUNITIES = ("幸福", "和平", "团结", "建设", "花园", "兴隆", "民主", "富强", "振兴", "阳光", "春晖", "新华",
               "文化", "东风", "光明", "南关", "北门", "滨河")
VILLAGES = ("上营", "下营", "河湾", "新庄", "李家", "王家庄", "马家", "韩家", "大寨", "红崖", "沙塘", "东山")


# --- The plan (pure: only the random generator) ----------------------------------------------------


@dataclass(frozen=True)
class EmployerSpec:
    name: str
    uscc: str
    industry: str
    size: str
    employees: int
    city: str
    district: str
    street: str
    address: str
    established: bool
    gig: str = ""  # express / delivery / ride / truck, or "" for an ordinary employer
    days_ago: int = 0  # when the employer was put on file


def _gb11714_check(digits8: str) -> str:
    """The check character of an old (pre-2015) organization code, GB 11714."""
    total = sum(int(d) * w for d, w in zip(digits8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(rng: random.Random, region: str, *, category: str = "1") -> str:
    """A valid credit code registered by industry and commerce ("9") in ``region``.

    Codes issued since 2015 carry an organization code starting "MA"; older employers keep their
    GB 11714 organization code (8 digits and a check character).
    """
    if rng.random() < 0.7:
        org = "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
    else:
        digits = "".join(rng.choice("0123456789") for _ in range(8))
        org = digits + _gb11714_check(digits)
    body = f"9{category}{region}{org}"
    return normalize_uscc(body + check_char(body))


def _address(rng: random.Random, city: City, district: District, street: str) -> str:
    road = rng.choice(district.roads)
    number = rng.randint(1, 299)
    place = "" if street.endswith("街道") else street  # a town's name is part of the address
    suffix = rng.choice(("", "", "", f"{rng.randint(1, 28)}楼", f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}单元"))
    return f"{city.name}{district.name}{place}{road}{number}号{suffix}"


def _company_name(rng: random.Random, city: City, district: District, trade: str, size: str) -> str:
    place = rng.choice((PROVINCE_SHORT, city.short, city.short, district.short, ""))
    brand = rng.choice(BRAND_WORDS)
    if size == EmployerSize.LARGE:
        form = rng.choice(("集团有限公司", "股份有限公司", "有限公司", "有限责任公司"))
    elif size == EmployerSize.MEDIUM:
        form = rng.choice(("有限公司", "有限公司", "有限责任公司", "股份有限公司"))
    else:
        form = rng.choice(("有限公司", "有限公司", "有限公司", "有限责任公司"))
    if not place and size in (EmployerSize.SMALL, EmployerSize.MEDIUM) and rng.random() < 0.3:
        return f"{PROVINCE_SHORT}{brand}{trade}有限公司{city.short}分公司"
    return f"{place or PROVINCE_SHORT}{brand}{trade}{form}"


def employer_specs(rng: random.Random, count: int) -> list[EmployerSpec]:
    """``count`` employers spread over the districts by weight: names, credit codes, industries, sizes."""
    districts = [(city, d) for city in CITIES for d in city.districts]
    by_name = {d.name: (city, d) for city, d in districts}
    industries = Weighted.of({key: weight for key, (weight, _) in TRADES.items()})
    sizes = Weighted.of(SIZE_WEIGHTS)
    names: set[str] = set()
    codes: set[str] = set()
    specs: list[EmployerSpec] = []

    def unique_code(region: str, category: str) -> str:
        while True:
            code = make_uscc(rng, region, category=category)
            if code not in codes:
                codes.add(code)
                return code

    for anchor in ANCHORS[:count]:
        city, district = by_name[anchor["district"]]
        names.add(anchor["name"])
        specs.append(EmployerSpec(
            name=anchor["name"], uscc=unique_code(district.code, "2" if anchor.get("individual") else "1"),
            industry=anchor["industry"], size=anchor["size"], employees=anchor["employees"], city=city.name,
            district=district.name, street=anchor["street"], address=_address(rng, city, district, anchor["street"]),
            established=anchor["established"], gig=anchor.get("gig", ""), days_ago=rng.randint(400, 1200),
        ))
    while len(specs) < count:
        city, district = rng.choices(districts, weights=[d.weight for _, d in districts])[0]
        street = rng.choices(district.streets, weights=[HUB_STREETS.get(s, 1.0) for s in district.streets])[0]
        gig, individual = "", False
        roll = rng.random()
        if roll < 0.10:  # 新就业形态: express, delivery, ride-hailing and trucking outfits
            gig = rng.choice(tuple(GIG))
            industry, trades, shop = GIG[gig]
            size = Weighted.of({EmployerSize.MICRO: 45, EmployerSize.SMALL: 45, EmployerSize.MEDIUM: 10}).pick(rng)
            individual = bool(shop) and size == EmployerSize.MICRO and rng.random() < 0.6
            name = (f"{district.short}{rng.choice(BRAND_WORDS)}{shop}" if individual
                    else _company_name(rng, city, district, rng.choice(trades), size))
        elif roll < 0.18:  # sole proprietors: shops, eateries, repair workshops
            industry, shop = rng.choice(SHOPS)
            size, individual = EmployerSize.MICRO, True
            name = f"{district.short}{rng.choice(BRAND_WORDS)}{shop}"
        else:
            industry = industries.pick(rng)
            size = sizes.pick(rng)
            if industry in ("H", "O", "F") and size == EmployerSize.LARGE:
                size = EmployerSize.MEDIUM  # no 1000-strong noodle shops
            name = _company_name(rng, city, district, rng.choice(TRADES[industry][1]), size)
        if name in names:
            continue
        names.add(name)
        low, high = HEADCOUNT[size]
        established = not individual and rng.random() < ESTABLISHED[size]
        specs.append(EmployerSpec(
            name=name, uscc=unique_code(district.code, "2" if individual else "1"), industry=industry, size=size,
            employees=rng.randint(low, high), city=city.name, district=district.name, street=street,
            address=_address(rng, city, district, street), established=established, gig=gig,
            days_ago=rng.randint(0, 1200),
        ))
    return specs


# --- Building ---------------------------------------------------------------------------------------


@dataclass
class DemoTree:
    province: Union
    cities: dict[str, Union] = field(default_factory=dict)
    districts: dict[str, Union] = field(default_factory=dict)
    streets: dict[str, Union] = field(default_factory=dict)
    industry: dict[str, Union] = field(default_factory=dict)
    joint: dict[str, Union] = field(default_factory=dict)
    grassroots: dict[str, Union] = field(default_factory=dict)  # by name
    grids: dict[int, list[Grid]] = field(default_factory=dict)  # street union pk → its grids
    employers: list[Employer] = field(default_factory=list)

    def all_unions(self) -> list[Union]:
        return [self.province, *self.cities.values(), *self.districts.values(), *self.streets.values(),
                *self.industry.values(), *self.joint.values(), *self.grassroots.values()]


def _union(parent: Union | None, name: str, *, kind: str = UnionKind.FEDERATION, level: int | None = None,
           region: str = "", address: str = "") -> Union:
    # Set-up by the system: unaudited, as a migration would be.
    return services.union_create(actor=None, parent=parent, name=name, kind=kind, level=level,
                                 region_code=region, address=address, audited=False)


def _build_federations(rng: random.Random) -> DemoTree:
    tree = DemoTree(province=_union(None, f"{PROVINCE_NAME}总工会", level=UnionLevel.PROVINCE,
                                    region=PROVINCE_CODE, address="青海省西宁市城西区五四大街35号"))
    for city in CITIES:
        city_union = _union(tree.province, f"{city.name}总工会", region=city.code,
                            address=f"{city.name}{city.districts[0].name}{city.districts[0].roads[0]}"
                                    f"{rng.randint(1, 99)}号")
        tree.cities[city.name] = city_union
        for district in city.districts:
            district_union = _union(city_union, f"{district.name}总工会", region=district.code,
                                    address=f"{city.name}{district.name}{rng.choice(district.roads)}"
                                            f"{rng.randint(1, 199)}号")
            tree.districts[district.name] = district_union
            for street in district.streets:
                office = "办事处" if street.endswith("街道") else "人民政府"
                street_union = _union(district_union, f"{street}总工会", region=street_code(district, street),
                                      address=f"{city.name}{district.name}{street}{office}")
                tree.streets[street] = street_union
                places = COMMUNITIES if street.endswith("街道") else VILLAGES
                suffix = "社区网格" if street.endswith("街道") else "村网格"
                tree.grids[street_union.pk] = [
                    services.grid_create(actor=None, union=street_union, name=f"{place}{suffix}")
                    for place in rng.sample(places, rng.randint(2, 3))
                ]
        for name, _ in INDUSTRY_UNIONS.get(city.name, ()):
            tree.industry[name] = _union(city_union, name, kind=UnionKind.INDUSTRY, region=city.code)
    for name, parent_name, _, _ in JOINT_UNIONS:
        parent = tree.cities.get(parent_name) or tree.districts.get(parent_name) or tree.streets[parent_name]
        tree.joint[name] = _union(parent, name, kind=UnionKind.JOINT, region=parent.region_code,
                                  address=parent.address)
    return tree


def _joint_for(tree: DemoTree, spec: EmployerSpec) -> Union | None:
    """The 工会联合会 that takes in an employer without its own union, if one covers it."""
    for name, _, takes, where in JOINT_UNIONS:
        if where not in (spec.city, spec.district, spec.street):
            continue
        if takes == spec.gig:
            return tree.joint[name]
        if not spec.gig and spec.size in (EmployerSize.MICRO, EmployerSize.SMALL) and (
            (takes == "office" and spec.industry in ("I", "L", "M", "J"))
            or (takes == "shop" and spec.industry in ("F", "H", "O"))
            or (takes == "factory" and spec.industry in ("C", "D", "E", "G"))
        ):
            return tree.joint[name]
    return None


def build_unions(rng: random.Random, *, employers: int = DEFAULT_EMPLOYERS) -> DemoTree:
    """The province's union tree, its grids and ``employers`` employers with their grassroots unions.

    Preconditions: inside a transaction, on a database without unions (the caller checks).
    """
    tree = _build_federations(rng)
    now = timezone.now()
    industry_by_city = {city: [(tree.industry[name], sections) for name, sections in unions]
                        for city, unions in INDUSTRY_UNIONS.items()}
    rows: list[Employer] = []
    backdated: list[Union] = []
    for spec in employer_specs(rng, employers):
        street = tree.streets[spec.street]
        district = tree.districts[spec.district]
        if spec.established:
            industry_parent = next((u for u, sections in industry_by_city.get(spec.city, ())
                                    if spec.industry in sections), None)
            if industry_parent is not None and rng.random() < 0.3:
                parent = industry_parent
            elif spec.size == EmployerSize.LARGE and spec.name != ANCHORS[0]["name"]:
                parent = district  # big employers answer to the district directly
            else:
                parent = street
            union = _union(parent, f"{spec.name}工会", kind=UnionKind.GRASSROOTS, level=UnionLevel.GRASSROOTS,
                           region=street.region_code, address=spec.address)
            union.created_at = now - timedelta(days=max(spec.days_ago - rng.randint(30, 360), 0))
            backdated.append(union)
            tree.grassroots[union.name] = union
        else:
            union = _joint_for(tree, spec) or street
        grid = None
        if union.path.startswith(street.path) and rng.random() < 0.9:
            grid = rng.choice(tree.grids[street.pk])
        rows.append(Employer(
            name=spec.name, uscc=normalize_uscc(spec.uscc), industry=spec.industry, size=spec.size,
            address=spec.address, union=union, union_established=spec.established, grid=grid,
            employee_count=spec.employees, created_at=now - timedelta(days=spec.days_ago, minutes=rng.randint(0, 600)),
        ))
    tree.employers = Employer.objects.bulk_create(rows, batch_size=250)
    Union.objects.bulk_update(backdated, ["created_at"], batch_size=250)
    return tree
