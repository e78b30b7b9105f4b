"""Demo data for the union tree: one province, two cities, their districts, streets and towns, the
grassroots unions of some 500 employers, grids, visits, problems and the province's brand matrix.

Everything is drawn from one ``random.Random(seed)``, so a seed always gives the same tree, names
and credit codes. Region codes are the real GB/T 2260 codes of Qinghai, Xining and Haidong; the
9-digit street/town codes follow the national scheme (streets 0xx, towns 1xx) but are made up, and
so is every employer. Accounts are the accounts app's job (gonghui/accounts/demo.py); this module
only takes the users it is handed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.lib.uscc import ALPHABET, check_char, normalize_uscc

from . import services
from .models import (
    Brand,
    Employer,
    EmployerSize,
    Grid,
    Problem,
    ProblemStatus,
    Union,
    UnionKind,
    UnionLevel,
    Visit,
)

DEFAULT_SEED = 2026
DEFAULT_EMPLOYERS = 560

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

# --- Names --------------------------------------------------------------------------------------

BRAND_WORDS = (
    "高原明珠", "昆仑", "三江源", "雪域", "青藏", "祁连", "湟水", "河湟", "夏都", "鑫源", "瑞丰", "宏达", "顺达",
    "天佑", "隆盛", "聚鑫", "博远", "新宇", "汇通", "宏图", "鼎盛", "恒信", "安达", "兴旺", "嘉禾", "华美", "康源",
    "青稞香", "柴达木", "丹噶尔", "日月山", "金岸", "金穗", "丰泽", "泰和", "永安", "同创", "众鑫", "鸿运", "远航",
    "锦程", "腾达", "立信", "海纳", "德润", "金河", "卓越", "志诚", "福泽", "新丝路", "唐蕃", "西海", "雪莲",
    "格桑花", "彩虹", "花儿", "东川", "甘河", "南山", "北川", "云杉", "松柏", "银河", "天润", "瑞祥", "佳美",
)

# GB/T 4754-2017 section → (weight among employers, trade words)
TRADES: dict[str, tuple[int, tuple[str, ...]]] = {
    "C": (24, ("乳业", "食品", "牦牛肉食品", "青稞酒业", "藏毯", "枸杞科技", "机械制造", "铝业", "光伏科技",
               "锂电材料", "新型建材", "服饰", "生物科技", "沙棘饮品", "药业", "化工", "包装制品", "印刷",
               "水泥制品", "家具制造")),
    "F": (15, ("商贸", "超市", "百货", "医药连锁", "农产品批发", "建材销售", "汽车销售服务", "电子商务",
               "粮油贸易", "日用品贸易")),
    "G": (10, ("物流", "运输", "仓储", "货运代理", "客运", "供应链管理", "冷链物流")),
    "H": (10, ("餐饮管理", "酒店管理", "清真餐饮", "饭庄", "宾馆", "牛肉面餐饮", "火锅餐饮")),
    "E": (10, ("建筑工程", "路桥工程", "建筑安装工程", "装饰工程", "市政工程", "水利水电工程")),
    "I": (6, ("网络科技", "信息技术", "软件开发", "数据服务", "智能科技")),
    "L": (6, ("人力资源服务", "劳务派遣", "商务咨询", "广告传媒", "保安服务")),
    "O": (5, ("家政服务", "汽车维修服务", "洗涤服务", "美容美发")),
    "K": (4, ("房地产开发", "物业服务")),
    "M": (3, ("工程检测", "勘察设计", "环境检测")),
    "B": (2, ("矿业", "盐湖化工")),
    "D": (2, ("新能源", "燃气", "供热", "水务")),
    "A": (2, ("牧业", "农牧开发", "种植")),
    "N": (2, ("环境卫生服务", "园林绿化")),
    "P": (2, ("教育科技", "职业技能培训")),
    "Q": (2, ("口腔门诊部", "医院管理", "康复护理")),
    "R": (2, ("文化传媒", "文化旅游发展", "体育发展")),
    "J": (1, ("小额贷款", "融资担保")),
}

# Sole proprietors (个体工商户, category "2" of the credit code): (section, shop word)
SHOPS: tuple[tuple[str, str], ...] = (
    ("F", "商店"), ("F", "便利店"), ("F", "经营部"), ("H", "餐馆"), ("H", "面馆"), ("O", "汽车修理部"),
    ("O", "理发店"), ("F", "建材经营部"),
)

# 新就业形态 employers: kind → (section, name pattern trade words, individual business word)
GIG: dict[str, tuple[str, tuple[str, ...], str]] = {
    "express": ("G", ("快递服务", "速递", "快运"), "快递服务部"),
    "delivery": ("H", ("配送服务", "外卖配送"), "外卖配送站"),
    "ride": ("G", ("网约车服务", "出行科技", "汽车租赁"), ""),
    "truck": ("G", ("货运", "物流运输"), ""),
}

SIZE_WEIGHTS = {
    EmployerSize.MICRO: 30, EmployerSize.SMALL: 45, EmployerSize.MEDIUM: 20, EmployerSize.LARGE: 5,
}
HEADCOUNT = {
    EmployerSize.MICRO: (3, 19), EmployerSize.SMALL: (20, 299), EmployerSize.MEDIUM: (300, 999),
    EmployerSize.LARGE: (1000, 5200),
}
# The chance that an employer of this size has its own union (about 60% overall).
ESTABLISHED = {
    EmployerSize.MICRO: 0.4, EmployerSize.SMALL: 0.7, EmployerSize.MEDIUM: 0.9, EmployerSize.LARGE: 1.0,
}

# Busier streets and towns (city centres, industrial parks) hold more employers than the rest.
HUB_STREETS = {"东关大街街道": 3.0, "八一路街道": 2.0, "南滩街道": 2.0, "胜利路街道": 2.0, "小桥大街街道": 2.0,
               "多巴镇": 3.0, "碾伯镇": 2.0, "平安镇": 2.0, "川口镇": 2.0, "威远镇": 2.0}

COMMUNITIES = ("幸福", "和平", "团结", "建设", "花园", "兴隆", "民主", "富强", "振兴", "阳光", "春晖", "新华",
               "文化", "东风", "光明", "南关", "北门", "滨河")
VILLAGES = ("上营", "下营", "河湾", "新庄", "李家", "王家庄", "马家", "韩家", "大寨", "红崖", "沙塘", "东山")

# Hand-written employers that the demo logins and the tour rely on; the rest is drawn at random.
ANCHORS: tuple[dict[str, Any], ...] = (
    {"name": "西宁高原明珠乳业有限公司", "district": "城东区", "street": "东关大街街道", "industry": "C",
     "size": EmployerSize.MEDIUM, "employees": 468, "established": True},
    {"name": "青海昆仑物流有限公司", "district": "城东区", "street": "八一路街道", "industry": "G",
     "size": EmployerSize.LARGE, "employees": 1260, "established": True},
    {"name": "城东区顺达快递服务部", "district": "城东区", "street": "东关大街街道", "industry": "G",
     "size": EmployerSize.MICRO, "employees": 12, "established": False, "gig": "express", "individual": True},
    {"name": "西宁迅达外卖配送服务有限公司", "district": "城中区", "street": "南滩街道", "industry": "H",
     "size": EmployerSize.SMALL, "employees": 86, "established": False, "gig": "delivery"},
    {"name": "青海畅行网约车服务有限公司", "district": "城西区", "street": "胜利路街道", "industry": "G",
     "size": EmployerSize.MEDIUM, "employees": 340, "established": False, "gig": "ride"},
)

ANCHOR_GRASSROOTS = "西宁高原明珠乳业有限公司工会"

# --- Brand matrix: 7 modules, 39 sub-brands -----------------------------------------------------------

BRAND_MATRIX: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("思想引领", "用党的创新理论凝心铸魂，讲好劳动者故事",
     ("工字号理论宣讲团", "新时代职工大讲堂", "劳模工匠进企业", "职工书屋", "高原工匠故事汇", "网上工会学校")),
    ("建功立业", "围绕中心、服务大局，组织职工建功新时代",
     ("劳动和技能竞赛", "劳模和工匠人才创新工作室", "职工技术创新成果", "高原工匠培育计划", "合理化建议",
      "工人先锋号")),
    ("维权服务", "依法维护职工合法权益，构建和谐劳动关系",
     ("12351职工服务热线", "工会法律援助", "劳动争议调解", "集体协商要约行动", "安康杯竞赛", "女职工权益保护")),
    ("普惠服务", "让会员实实在在感受到工会温暖",
     ("会员普惠卡", "金秋助学", "两节送温暖", "夏送清凉", "职工医疗互助保障", "困难职工帮扶")),
    ("文化生活", "丰富职工精神文化生活",
     ("职工文化艺术节", "职工运动会", "职工疗休养", "单身职工联谊", "职工合唱团")),
    ("新就业形态", "把快递员、外卖送餐员、网约车司机、货车司机等凝聚到工会中来",
     ("暖新驿站", "骑手入会集中行动", "货车司机之家", "新就业形态劳动者关爱基金", "网约车司机服务站")),
    ("数字工会", "以数字化改革提升工会服务效能",
     ("智慧工会平台", "会员实名制数据库", "工会数据驾驶舱", "掌上工会", "工会云集市")),
)

VISIT_NOTES = (
    "走访企业负责人，了解生产经营和职工队伍情况，宣传《工会法》和入会政策，企业表示支持职工入会。",
    "召开职工座谈会{n}人参加，收集职工在工资待遇、劳动保护方面的意见建议。",
    "检查企业工会规范化建设台账，指导完善会员名册和经费收支管理。",
    "与企业人事部门沟通劳动合同签订情况，一线职工签订率约{p}%。",
    "走访一线岗位，发放《职工维权手册》{n}份，现场解答职工咨询。",
    "了解新就业形态劳动者用工情况，动员快递员、骑手等加入工会，现场登记入会意向{n}人。",
    "慰问生产一线职工，送去防暑降温物品，了解职工休息和就餐条件。",
    "指导企业开展工资集体协商准备工作，约定下月召开职工代表大会。",
    "回访上次走访发现的问题，企业已落实整改，职工反映良好。",
    "宣传普惠服务和12351职工服务热线，帮助{n}名职工完成会员实名认证。",
)

PROBLEMS: tuple[tuple[str, str], ...] = (
    ("企业尚未建立工会组织", "职工入会意愿较强，企业负责人对建会有顾虑，需上级工会协调指导。"),
    ("部分一线职工未签订劳动合同", "生产旺季临时招用人员较多，合同签订不及时。"),
    ("夏季高温津贴发放不到位", "户外作业人员反映高温津贴未按规定标准发放。"),
    ("外卖骑手缺少休息场所", "商圈周边缺少可供骑手休息、饮水、充电的驿站。"),
    ("职工食堂就餐环境较差", "食堂面积小、座位不足，职工就餐需排队较长时间。"),
    ("加班费计算标准不清", "职工对节假日加班工资计算方式有疑问。"),
    ("社会保险缴费基数偏低", "部分职工反映社保缴费基数低于实际工资。"),
    ("困难职工帮扶需求", "一名职工家属重病，家庭生活困难，申请帮扶。"),
    ("女职工特殊保护设施不完善", "企业尚未设立母婴室，女职工哺乳期休息安排不明确。"),
    ("工会经费拨缴不及时", "企业连续两个季度未按规定拨缴工会经费。"),
    ("快递员派件超时被罚款", "快递员反映考核规则不合理，超时罚款过重。"),
    ("职工技能培训机会少", "青年职工希望参加技能提升培训和职业技能等级认定。"),
    ("冬季取暖设施不足", "车间供暖不足，职工反映冬季作业环境寒冷。"),
    ("货车司机停车休息难", "物流园区周边缺少货车司机停车休息和就餐的场所。"),
)

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


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


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
    industries = {key: weight for key, (weight, _) in TRADES.items()}
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
            size = _weighted(rng, {EmployerSize.MICRO: 45, EmployerSize.SMALL: 45, EmployerSize.MEDIUM: 10})
            individual = bool(shop) and size == EmployerSize.MICRO and rng.random() < 0.6
            name = (f"{district.short}{rng.choice(BRAND_WORDS)}{shop}" if individual
                    else _company_name(rng, city, district, rng.choice(trades), size))
        elif roll < 0.18:  # sole proprietors: shops, eateries, repair workshops
            industry, shop = rng.choice(SHOPS)
            size, individual = EmployerSize.MICRO, True
            name = f"{district.short}{rng.choice(BRAND_WORDS)}{shop}"
        else:
            industry = _weighted(rng, industries)
            size = _weighted(rng, SIZE_WEIGHTS)
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


def build_brand_matrix(*, actor: Any, union: Union) -> int:
    """The 7 modules and 39 sub-brands of the province's brand matrix; returns the number of brands."""
    count = 0
    for module_name, description, subs in BRAND_MATRIX:
        module = services.brand_create(actor=actor, union=union, name=module_name, description=description)
        count += 1
        for sub in subs:
            services.brand_create(actor=actor, union=union, name=sub, parent=module)
            count += 1
    return count


def build_field_work(rng: random.Random, tree: DemoTree, *, actor: Any) -> dict[str, int]:
    """Brand matrix (by ``actor``), then visits by each employer's liaison and the problems they found.

    Preconditions: the liaisons are set on ``tree.employers`` (accounts demo).
    """
    brands = build_brand_matrix(actor=actor, union=tree.province)
    today = timezone.localdate()
    visits = problems = 0
    advance = (ProblemStatus.COORDINATING, ProblemStatus.SOLVED)
    for employer in tree.employers:
        if employer.liaison is None or rng.random() >= 0.35:
            continue
        dates = sorted(today - timedelta(days=rng.randint(1, 180)) for _ in range(rng.randint(1, 3)))
        for visited_on in dates:
            notes = rng.choice(VISIT_NOTES).format(n=rng.randint(3, 40), p=rng.randint(70, 98))
            services.visit_record(actor=employer.liaison, employer=employer, visited_on=visited_on, notes=notes)
            visits += 1
        if rng.random() < 0.4:
            title, description = rng.choice(PROBLEMS)
            problem = services.problem_raise(actor=employer.liaison, employer=employer, title=title,
                                             description=description)
            # Every third one stays raised, every third is being coordinated, the rest are solved.
            for step in advance[: problems % 3]:
                note = "已协调企业和相关部门" if step == ProblemStatus.COORDINATING else "问题已解决，职工满意"
                services.problem_advance(actor=employer.liaison, problem=problem, to_status=step, note=note)
            problems += 1
    return {"brands": brands, "visits": visits, "problems": problems}


def counts() -> dict[str, Any]:
    """What the database holds, for the command's summary."""
    employers = Employer.objects.all()
    return {
        "unions": Union.objects.count(),
        "unions_by_kind": {kind.label: Union.objects.filter(kind=kind).count() for kind in UnionKind},
        "employers": employers.count(),
        "established": employers.filter(union_established=True).count(),
        "industries": employers.exclude(industry="").values("industry").distinct().count(),
        "grids": Grid.objects.count(),
        "visits": Visit.objects.count(),
        "problems_by_status": {status.label: Problem.objects.filter(status=status).count()
                               for status in ProblemStatus},
        "brand_modules": Brand.objects.filter(parent__isnull=True).count(),
        "sub_brands": Brand.objects.filter(parent__isnull=False).count(),
    }
