"""The 云集市 catalogue: who offers what (the partner organizations, the model workers' and craftsmen's
specialties, the offerings of each domain, the reviews), the tables ``market.py`` draws the
benchmark's catalogue from, and the demo's catalogue on the demo province.

The demo's: some 55 providers (model workers and craftsmen drawn from the demo's members, and
partner hospitals, law firms, schools and companies), about 65 offerings over the seven domains
tagged with the province's brand matrix, each in two batches (the first one served, the second one
open), with time slots for consultations; follows, need categories and needs. ``catalogue`` makes
the providers, offerings, batches and slots (set-based, on what the demo already holds: the union
tree, the members, the staff and the named logins). The orders in them are written by
``market.write_orders`` (``demo.build_market``), through the same order lifecycle, history, reviews
and counters (batch and slot ``taken``, an offering's ratings and people served) as ``gonghui
seed``'s; ``plan``, ``final_status`` and ``named_orders`` say which orders the demo wants, the named
logins' (``market.demo``: the provider login, what 王小明 and 李骑手 have to do) among them.
``finish`` adds follows and needs, and the market demo's summary lines.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.scope import Role
from gonghui.market import demo as market_demo
from gonghui.market.models import (
    Audience,
    Batch,
    BatchStatus,
    Domain,
    Follow,
    Mode,
    Need,
    NeedCategory,
    NeedStatus,
    Offering,
    OfferingStatus,
    OrderStatus,
    Provider,
    ProviderKind,
    Slot,
    TitleLevel,
)
from gonghui.members.models import EmploymentForm, Gender, Member, MemberStatus
from gonghui.unions.models import Brand, Union, UnionKind, UnionLevel

from .base import Weighted

PERSONS = 30
# --- Partner organizations: (kind, name, specialty, where: "province" | city name | district name) -------------

PARTNERS: tuple[tuple[str, str, str, str], ...] = (
    (ProviderKind.HOSPITAL, "青海省人民医院", "职工健康体检、慢病管理", "province"),
    (ProviderKind.HOSPITAL, "青海大学附属医院", "心血管、骨科专家义诊", "province"),
    (ProviderKind.HOSPITAL, "西宁市第一人民医院", "职业病筛查、健康讲座", "西宁市"),
    (ProviderKind.HOSPITAL, "西宁市中医院", "中医理疗、颈肩腰腿痛调理", "西宁市"),
    (ProviderKind.HOSPITAL, "城东区人民医院", "社区义诊、女职工健康", "城东区"),
    (ProviderKind.HOSPITAL, "城中区妇幼保健院", "女职工“两癌”筛查", "城中区"),
    (ProviderKind.HOSPITAL, "海东市人民医院", "职工体检、急救培训", "海东市"),
    (ProviderKind.LAW_FIRM, "青海昆仑律师事务所", "劳动争议、工伤认定", "province"),
    (ProviderKind.LAW_FIRM, "青海夏都律师事务所", "劳动合同、社保权益", "西宁市"),
    (ProviderKind.LAW_FIRM, "青海雪域律师事务所", "新就业形态劳动者权益", "城中区"),
    (ProviderKind.LAW_FIRM, "青海河湟律师事务所", "农民工工资清欠", "海东市"),
    (ProviderKind.LAW_FIRM, "青海三江源律师事务所", "婚姻家庭、法律咨询", "城西区"),
    (ProviderKind.SCHOOL, "青海建筑职业技术学院", "建筑施工、电工焊工培训", "province"),
    (ProviderKind.SCHOOL, "青海交通职业技术学院", "汽车维修、驾驶员培训", "西宁市"),
    (ProviderKind.SCHOOL, "西宁市职工学校", "学历提升、职业技能等级认定", "西宁市"),
    (ProviderKind.SCHOOL, "青海开放大学", "在线学历教育、职工夜校", "province"),
    (ProviderKind.SCHOOL, "海东市职业技术学校", "家政、养老护理培训", "海东市"),
    (ProviderKind.SCHOOL, "城北区青少年宫", "职工子女暑期托管", "城北区"),
    (ProviderKind.COMPANY, "青海盐湖工业股份有限公司", "盐湖化工技术、工厂参观", "province"),
    (ProviderKind.COMPANY, "国网青海省电力公司", "电力安全、光伏运维", "province"),
    (ProviderKind.COMPANY, "西宁特殊钢股份有限公司", "冶金工艺、劳模创新工作室", "西宁市"),
    (ProviderKind.COMPANY, "青海人力资源服务产业园", "岗位推荐、就业指导", "西宁市"),
    (ProviderKind.COMPANY, "城西区零工驿站", "灵活就业岗位对接", "城西区"),
    (ProviderKind.COMPANY, "海东市人力资源市场", "招聘会、技能岗位", "海东市"),
    (ProviderKind.COMPANY, "青海数字经济产业园", "数字技能、直播电商", "城东区"),
)
CRAFT_NAMES = ("马建成", "李海军", "韩永清", "祁生福", "张德明", "王玉兰", "冶海林", "赵国庆", "刘春梅", "孙立新",
               "何占元", "才让东珠", "周学军", "吴秀英", "徐明德", "胡进忠", "朱海燕", "郭成林", "罗宏伟", "高福全")
SPECIALTIES = ("高压电工、配电运维", "数控车床、精密加工", "焊接工艺、特种设备", "汽车维修、新能源车", "光伏运维",
               "藏毯编织、非遗技艺", "面点制作、餐饮服务", "建筑施工、安全管理", "盐湖化工工艺", "铁路信号维护",
               "中式烹调", "养老护理", "供热管网检修", "机床装调维修", "农机修理、高原种植")
# --- What they offer: domain → (title, summary, mode, audience) ---------------------------------------------------

OFFERINGS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    Domain.EDUCATION: (
        ("电工技能提升培训班", "劳模手把手教实操，助力考取电工证", Mode.ONSITE, Audience.ALL),
        ("焊工技能等级认定辅导", "理论加实操，冲刺中级工", Mode.ONSITE, Audience.ALL),
        ("职工学历提升咨询", "成人高考、开放大学报名指导", Mode.ONLINE, Audience.ALL),
        ("骑手数字技能小课堂", "手机导航、电子支付、安全骑行", Mode.ONSITE, Audience.GIG),
        ("养老护理员培训", "零基础入门，结业推荐就业", Mode.ONSITE, Audience.ALL),
        ("职工子女暑期托管", "工会出资，孩子暑期有人管", Mode.ONSITE, Audience.ALL),
        ("面点制作技艺传授", "省级工匠教你做青海特色面点", Mode.ONSITE, Audience.WOMEN),
    ),
    Domain.TECH: (
        ("劳模创新工作室攻关开放日", "带着生产难题来，劳模团队现场会诊", Mode.ONSITE, Audience.ALL),
        ("光伏电站运维技术答疑", "新能源一线难题在线解答", Mode.ONLINE, Audience.ALL),
        ("数控设备故障诊断", "工匠上门诊断，帮企业降本增效", Mode.ONSITE, Audience.ALL),
        ("职工技术创新成果申报辅导", "合理化建议、小改小革怎么写", Mode.ONLINE, Audience.ALL),
        ("直播电商技能训练营", "从开播到选品，助力灵活就业", Mode.ONSITE, Audience.GIG),
    ),
    Domain.HEALTH: (
        ("职工免费健康体检", "常规体检加职业病筛查，报告专人解读", Mode.ONSITE, Audience.ALL),
        ("女职工“两癌”筛查", "宫颈癌、乳腺癌免费筛查", Mode.ONSITE, Audience.WOMEN),
        ("专家义诊进企业", "心血管、骨科专家到车间", Mode.ONSITE, Audience.ALL),
        ("中医理疗颈肩腰腿", "久坐久站一族的理疗调养", Mode.ONSITE, Audience.ALL),
        ("骑手健康关爱行动", "血压血糖检测、防暑降温包", Mode.ONSITE, Audience.GIG),
        ("职工心理健康咨询", "一对一心理咨询，严格保密", Mode.ONLINE, Audience.ALL),
        ("急救技能培训", "心肺复苏、AED使用，学会救命本领", Mode.ONSITE, Audience.ALL),
    ),
    Domain.LEGAL: (
        ("劳动合同免费审查", "入职前帮您看清每一条", Mode.ONLINE, Audience.ALL),
        ("工伤认定法律咨询", "律师一对一，工伤申请不迷路", Mode.ONSITE, Audience.ALL),
        ("欠薪维权法律援助", "农民工工资清欠，工会律师帮您讨", Mode.ONSITE, Audience.ALL),
        ("新就业形态劳动者权益讲堂", "骑手、网约车司机的权益与保障", Mode.ONSITE, Audience.GIG),
        ("女职工权益保护咨询", "孕期、产期、哺乳期权益答疑", Mode.ONLINE, Audience.WOMEN),
    ),
    Domain.JOBS: (
        ("技能岗位专场招聘", "百家企业、千余岗位，现场面试", Mode.ONSITE, Audience.ALL),
        ("灵活就业岗位对接", "零工驿站帮您就近找活", Mode.ONSITE, Audience.GIG),
        ("简历诊断与面试辅导", "人力资源专家一对一", Mode.ONLINE, Audience.ALL),
        ("返乡创业指导", "政策、贷款、项目一站式咨询", Mode.ONLINE, Audience.ALL),
    ),
    Domain.LECTURE: (
        ("劳模精神进车间宣讲", "全国劳模讲述奋斗故事", Mode.ONSITE, Audience.ALL),
        ("新时代职工大讲堂", "党的创新理论通俗讲", Mode.ONSITE, Audience.ALL),
        ("安全生产主题宣讲", "身边的事故教训与防范", Mode.ONSITE, Audience.ALL),
        ("高原工匠故事汇", "工匠们的匠心与坚守", Mode.ONLINE, Audience.ALL),
    ),
    Domain.VISIT: (
        ("走进盐湖：大国重器参观", "参观盐湖提锂生产线，感受产业变迁", Mode.ONSITE, Audience.ALL),
        ("劳模创新工作室参观交流", "看劳模如何带团队、搞创新", Mode.ONSITE, Audience.ALL),
        ("特高压换流站开放日", "走进清洁能源外送大通道", Mode.ONSITE, Audience.ALL),
        ("职工书屋读书交流会", "与劳模工匠共读一本书", Mode.ONSITE, Audience.ALL),
    ),
}
KIND_DOMAINS: dict[str, tuple[str, ...]] = {
    ProviderKind.HOSPITAL: (Domain.HEALTH,),
    ProviderKind.LAW_FIRM: (Domain.LEGAL,),
    ProviderKind.SCHOOL: (Domain.EDUCATION, Domain.EDUCATION, Domain.VISIT),
    ProviderKind.COMPANY: (Domain.JOBS, Domain.TECH, Domain.VISIT),
    ProviderKind.MODEL_WORKER: (Domain.EDUCATION, Domain.TECH, Domain.LECTURE, Domain.VISIT),
    ProviderKind.CRAFTSMAN: (Domain.EDUCATION, Domain.TECH, Domain.LECTURE),
}
# Which brands of the province's matrix (unions.demo.BRAND_MATRIX) go with a domain.
DOMAIN_BRANDS: dict[str, tuple[str, ...]] = {
    Domain.EDUCATION: ("网上工会学校", "高原工匠培育计划"),
    Domain.TECH: ("职工技术创新成果", "劳模和工匠人才创新工作室"),
    Domain.HEALTH: ("职工医疗互助保障", "女职工权益保护"),
    Domain.LEGAL: ("工会法律援助", "12351职工服务热线"),
    Domain.JOBS: ("新就业形态劳动者关爱基金", "暖新驿站"),
    Domain.LECTURE: ("工字号理论宣讲团", "新时代职工大讲堂", "高原工匠故事汇"),
    Domain.VISIT: ("劳模工匠进企业", "劳模和工匠人才创新工作室"),
}
EVERY_OFFERING_BRAND = "工会云集市"
REVIEWS = ("老师讲得很细，收获很大", "服务很专业，非常感谢工会", "时间安排合理，下次还来", "劳模师傅很耐心",
           "内容实用，解决了我的实际问题", "", "", "希望多开几期", "排队有点久，其他都很好", "环境不错，讲解清楚")
RATINGS = {5: 70, 4: 22, 3: 6, 2: 1.5, 1: 0.5}
CANCEL_REASONS = ("临时有事，改天再约", "时间冲突", "讲师临时出差，另行安排")
NEED_CATEGORIES = ("技能培训", "法律咨询", "健康医疗", "就业创业", "心理疏导", "子女教育", "其他")
NEEDS = (
    ("技能培训", "想学叉车驾驶，考叉车证"), ("技能培训", "希望开设电商直播培训"),
    ("法律咨询", "被拖欠三个月工资怎么办"), ("法律咨询", "外卖骑手受伤算不算工伤"),
    ("健康医疗", "希望安排一次眼科检查"), ("健康医疗", "颈椎不好，想找中医理疗"),
    ("就业创业", "想找一份夜班仓储的工作"), ("就业创业", "返乡开小超市需要哪些手续"),
    ("心理疏导", "工作压力大，睡眠不好"), ("子女教育", "孩子暑假没人照看"),
    ("其他", "希望组织单身职工联谊活动"), ("技能培训", "想提升普通话和写作能力"),
)
NEED_ANSWERS = ("已为您推荐相关服务，请关注预约", "该服务正在上新，名额有限请尽快预约", "已联系服务方，将与您电话沟通")
@dataclass
class Person:
    """A member as the generator needs it (one query loads all of them)."""

    id: int
    union_id: int
    path: str
    gig: bool
    woman: bool
    user_id: int | None


def members() -> list[Person]:
    rows = (Member.objects.filter(status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING])
            .values_list("id", "union_id", "union__path", "employment_form", "gender", "user_id"))
    return [Person(id=i, union_id=u, path=p, gig=f == EmploymentForm.GIG, woman=g == Gender.FEMALE, user_id=user)
            for i, u, p, f, g, user in rows]


def eligible(people: Sequence[Person], offering: Offering) -> list[Person]:
    path = "" if offering.union.parent_id is None else offering.union.path
    audience_path = offering.audience_union.path if offering.audience_union_id else ""
    return [p for p in people if p.path.startswith(path) and (not audience_path or p.path.startswith(audience_path))
            and (offering.audience != Audience.GIG or p.gig) and (offering.audience != Audience.WOMEN or p.woman)]


class _Clock:
    """Timestamps of the generated history: spread over the last ``days``, never in the future."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now

    def back(self, days_from: float, days_to: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(days_from, days_to))

    def after(self, start: datetime, hours_from: float, hours_to: float) -> datetime:
        return min(start + timedelta(hours=self.rng.uniform(hours_from, hours_to)), self.now - timedelta(minutes=5))


@dataclass
class Catalogue:
    """The demo's 云集市 before its orders: who serves what, when, for whom."""

    province: Union
    providers: list[Provider]
    offerings: list[Offering]
    batches: list[Batch]
    slots: dict[int, list[Slot]]  # batch pk → its time slots
    people: list[Person]
    named: dict[str, int]  # phone → member pk of the named logins
    staff: User | None
    clock: _Clock

    def batches_of(self, offering: Offering) -> list[Batch]:
        return [b for b in self.batches if b.offering_id == offering.pk]


def catalogue(rng: random.Random) -> Catalogue | None:
    """Providers, offerings, batches and slots on top of the demo province (None without one).
    Preconditions: inside the demo command's transaction, after the unions, accounts and members demos."""
    now = timezone.now()
    province = Union.objects.filter(parent__isnull=True).order_by("id").first()
    if province is None:
        return None
    by_name = {u.name: u for u in Union.objects.filter(kind=UnionKind.FEDERATION, level__lte=UnionLevel.DISTRICT)}
    districts = [u for u in by_name.values() if u.level == UnionLevel.DISTRICT]
    people = members()
    providers = _providers(rng, province, by_name, districts, people, now)
    offerings = _offerings(rng, providers, province, now)
    batches, slots = _batches(rng, offerings, now)
    return Catalogue(province=province, providers=providers, offerings=offerings, batches=batches, slots=slots,
                     people=people, named=_named_members(), staff=_staff_writer(province), clock=_Clock(rng, now))


def plan(offering: Offering, batch: Batch, slot: Slot | None, person: Person, placed: datetime,
         final: str) -> dict[str, Any]:
    """One order to be written (by the generator's ``write_orders``) and where it ends up: a demo
    order gets there (``reach``), its steps fitted in before now."""
    return {"offering": offering, "batch": batch, "slot": slot, "member_id": person.id,
            "member_union_id": person.union_id, "placed_at": placed, "final": final, "reach": True,
            "note": ["", "", "希望安排在周末", "第一次参加，想多了解一些", "工作日晚上有时间"][person.id % 5]}


def finish(rng: random.Random, cat: Catalogue) -> list[str]:
    """Follows and needs after the orders, then the market demo's summary lines."""
    follows = _follows(rng, cat.offerings, cat.people)
    needs = _needs(rng, cat.clock, cat.province, cat.people, cat.offerings, cat.staff)
    return market_demo.summary(providers=cat.providers, offerings=cat.offerings, batches=len(cat.batches),
                               follows=follows, needs=needs)


def _staff_writer(province: Union) -> User | None:
    row = (StaffAssignment.objects.filter(union=province, role__in=[Role.ADMIN, Role.OFFICER])
           .select_related("user").order_by("id").first())
    return row.user if row else None


def _district_of(path: str, districts: Sequence[Union]) -> Union | None:
    return next((d for d in districts if path.startswith(d.path)), None)


def _providers(rng: random.Random, province: Union, by_name: dict[str, Union], districts: Sequence[Union],
               people: Sequence[Person], now: datetime) -> list[Provider]:
    """Partner organizations, and model workers/craftsmen: members who are, by the registry, with the
    demo provider login linked to the first of them."""
    rows: list[Provider] = []
    for kind, name, specialty, where in PARTNERS:
        union = province if where == "province" else by_name.get(f"{where}总工会", province)
        rows.append(Provider(union=union, kind=kind, name=name, specialty=specialty, created_at=now,
                             bio=f"{name}是工会服务合作机构，长期为职工提供{specialty}等公益服务。"))
    honoured = list(Member.objects.filter(status=MemberStatus.ACTIVE).filter(
        ~Q(model_worker_level="") | Q(craftsman=True)).select_related("union").order_by("id")[:200])
    rng.shuffle(honoured)
    levels = {"national": TitleLevel.NATIONAL_MODEL, "provincial": TitleLevel.PROVINCIAL_MODEL,
              "city": TitleLevel.CITY_MODEL}
    account = market_demo.provider_account(honoured[0] if honoured else None)
    for i in range(PERSONS):
        member = honoured[i] if i < len(honoured) else None
        if member is not None and member.model_worker_level:
            kind, level = ProviderKind.MODEL_WORKER, levels.get(member.model_worker_level, TitleLevel.CITY_MODEL)
        else:
            kind = ProviderKind.CRAFTSMAN if i % 3 else ProviderKind.MODEL_WORKER
            level = (rng.choice([TitleLevel.PROVINCIAL_CRAFTSMAN, TitleLevel.CITY_CRAFTSMAN]) if kind ==
                     ProviderKind.CRAFTSMAN else rng.choice([TitleLevel.PROVINCIAL_MODEL, TitleLevel.CITY_MODEL]))
        name = member.name if member is not None else CRAFT_NAMES[i % len(CRAFT_NAMES)]
        district = _district_of(member.union.path, districts) if member is not None else rng.choice(districts)
        union = district or province
        if i == 0:  # the demo login: a city-level provider, so that 王小明 (城东区) can order from them
            union = by_name.get("西宁市总工会", union)
            kind, level = ProviderKind.MODEL_WORKER, TitleLevel.NATIONAL_MODEL
        specialty = SPECIALTIES[i % len(SPECIALTIES)]
        rows.append(Provider(union=union, kind=kind, name=name, title_level=level, specialty=specialty,
                             user=account if i == 0 else None, created_at=now,
                             bio=f"{TitleLevel(level).label}，从事{specialty.split('、')[0]}工作二十余年，"
                                 f"带出徒弟数十人，愿把手艺传给更多职工。"))
    return Provider.objects.bulk_create(rows)


def _offerings(rng: random.Random, providers: Sequence[Provider], province: Union, now: datetime) -> list[Offering]:
    """One or two offerings per provider, in domains that fit the provider; a few drafts and withdrawals."""
    brands = {b.name: b for b in Brand.objects.filter(union=province)}
    places = {Mode.ONLINE: ("线上（腾讯会议）", "线上（电话咨询）", "掌上工会直播间")}
    used: Counter[str] = Counter()
    rows: list[tuple[Offering, list[Brand]]] = []
    for index, provider in enumerate(providers):
        count = 2 if index % 3 == 0 or provider.user_id else 1
        for n in range(count):
            domain = KIND_DOMAINS[provider.kind][(index + n) % len(KIND_DOMAINS[provider.kind])]
            if n == 1 and provider.kind in (ProviderKind.MODEL_WORKER, ProviderKind.CRAFTSMAN):
                domain = Domain.LECTURE if index % 2 else Domain.VISIT
            choices = OFFERINGS[domain]
            title, summary, mode, audience = choices[used[domain] % len(choices)]
            used[domain] += 1
            if mode == Mode.ONLINE:
                place = rng.choice(places[Mode.ONLINE])
            elif provider.kind in (ProviderKind.HOSPITAL, ProviderKind.SCHOOL, ProviderKind.COMPANY):
                place = provider.name
            else:
                place = f"{provider.union.name.replace('总工会', '')}职工服务中心"
            status = OfferingStatus.LISTED
            if index % 17 == 5:
                status = OfferingStatus.DRAFT
            elif index % 23 == 7:
                status = OfferingStatus.WITHDRAWN
            listed_at = now - timedelta(days=rng.uniform(60, 120))
            offering = Offering(
                union=provider.union, provider=provider, title=title if n == 0 or title not in {
                    o.title for o, _ in rows if o.provider is provider} else f"{title}（二期）",
                domain=domain, mode=mode, place=place, summary=summary, audience=audience,
                description=f"{summary}。\n服务方：{provider.name}（{provider.specialty}）。\n"
                            f"本服务由工会组织，面向会员免费提供，名额有限，预约后请按时参加。",
                status=status, listed_at=listed_at if status != OfferingStatus.DRAFT else None,
                created_at=listed_at - timedelta(days=3), updated_at=listed_at)
            tags = [brands[name] for name in DOMAIN_BRANDS[domain] if name in brands][:2]
            if EVERY_OFFERING_BRAND in brands:
                tags.append(brands[EVERY_OFFERING_BRAND])
            rows.append((offering, tags))
    created = Offering.objects.bulk_create([o for o, _ in rows])
    through = Offering.brands.through
    through.objects.bulk_create([through(offering_id=o.pk, brand_id=b.pk)
                                 for o, (_, tags) in zip(created, rows, strict=True) for b in tags])
    for offering in created:
        offering.union = offering.provider.union  # for the audience checks below, without a query each
    return created


# When a batch without time slots is served: a closed batch's class over five afternoons, a lecture or
# a visit one afternoon or morning, the other services a day's opening hours; an open batch over the
# weeks it takes bookings, in the same hours of the day.
SERVICE_START_HOUR = {Domain.EDUCATION: 14, Domain.LECTURE: 14, Domain.VISIT: 9}
SERVICE_HOURS = {Domain.EDUCATION: 3, Domain.LECTURE: 2, Domain.VISIT: 3, Domain.JOBS: 6}  # else 8
COURSE_DAYS = {Domain.EDUCATION: 4}  # days after the first one


def _service_end(start: datetime, domain: str, *, days: int = 0) -> datetime:
    return start + timedelta(days=days, hours=SERVICE_HOURS.get(domain, 8))


def _service_day(day: datetime, domain: str) -> datetime:
    """``day`` at the domain's start hour, local time, moved off a weekend."""
    local = timezone.localtime(day).replace(hour=SERVICE_START_HOUR.get(domain, 9), minute=0, second=0,
                                            microsecond=0)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local


def _batches(rng: random.Random, offerings: Sequence[Offering],
             now: datetime) -> tuple[list[Batch], dict[int, list[Slot]]]:
    """Two batches each (上架 two months ago and served; 上新 this week and open); consultations get
    time slots in the second batch."""
    rows: list[Batch] = []
    slotted: list[tuple[int, Batch]] = []
    for number, offering in enumerate(offerings):
        first_open = offering.listed_at or now - timedelta(days=90)
        # (the service days come from the offering's position, not from rng: the rest of the data stays as it was)
        first_serves = _service_day(first_open + timedelta(days=22 + number % 7), offering.domain)
        rows.append(Batch(offering=offering, name="第一批", capacity=rng.randrange(10, 41, 5), opens_at=first_open,
                          closes_at=first_open + timedelta(days=20), status=BatchStatus.CLOSED,
                          serves_from=first_serves,
                          serves_until=_service_end(first_serves, offering.domain,
                                                    days=COURSE_DAYS.get(offering.domain, 0)),
                          created_at=first_open))
        if offering.status == OfferingStatus.WITHDRAWN:
            continue
        opens = now - timedelta(days=rng.uniform(1, 8))
        closes = now + timedelta(days=rng.uniform(14, 30))
        second = Batch(offering=offering, name="第二批", capacity=rng.randrange(10, 41, 5), opens_at=opens,
                       closes_at=closes, status=BatchStatus.OPEN, created_at=opens)
        rows.append(second)
        if offering.domain in (Domain.HEALTH, Domain.LEGAL) and offering.mode == Mode.ONSITE:
            slotted.append((len(rows) - 1, second))  # the time slots say when
        else:  # served while booking is open and a few days after (the provider fixes each order's time)
            second.serves_from = _service_day(opens + timedelta(days=1), offering.domain)
            second.serves_until = _service_end(_service_day(closes + timedelta(days=2 + number % 4),
                                                            offering.domain), offering.domain)
    batches = Batch.objects.bulk_create(rows)
    slot_rows: list[Slot] = []
    for _, batch in slotted:
        # one slot already held (its orders can be served), two to come
        day = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
        per = max(batch.capacity // 3, 1)
        for offset in (-1, 3, 6):
            starts = day + timedelta(days=offset)
            slot_rows.append(Slot(batch=batch, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=per))
        Batch.objects.filter(pk=batch.pk).update(capacity=per * 3)
        batch.capacity = per * 3
    slots: dict[int, list[Slot]] = {}
    for slot in Slot.objects.bulk_create(slot_rows):
        slots.setdefault(slot.batch_id, []).append(slot)
    return batches, slots


def _named_members() -> dict[str, int]:
    found: dict[str, int] = {}
    for phone in market_demo.NAMED_ORDERS:
        user = User.objects.by_phone(phone).first()
        member = Member.objects.filter(user=user).values_list("id", flat=True).first() if user else None
        if member:
            found[phone] = member
    return found


# Where the demo's orders end up: a closed batch's were served (or not), an open batch's are under way.
FIRST_BATCH = Weighted.of({OrderStatus.REVIEWED: 55, OrderStatus.CONFIRMED: 22, OrderStatus.CANCELLED: 13,
                           OrderStatus.NO_SHOW: 10})
SECOND_BATCH = Weighted.of({OrderStatus.PLACED: 38, OrderStatus.ASSIGNED: 30, OrderStatus.DELIVERED: 20,
                             OrderStatus.CANCELLED: 12})
def final_status(rng: random.Random, batch: Batch, slot: Slot | None, now: datetime) -> str:
    """Where an order of ``batch`` ends up; an order for a time slot still to come is not served yet."""
    final = (FIRST_BATCH if batch.status == BatchStatus.CLOSED else SECOND_BATCH).pick(rng)
    if slot is not None and slot.starts_at > now and final in (
            OrderStatus.DELIVERED, OrderStatus.CONFIRMED, OrderStatus.REVIEWED, OrderStatus.NO_SHOW):
        return OrderStatus.ASSIGNED
    return final


def named_orders(rng: random.Random, cat: Catalogue, plans: list[dict[str, Any]]) -> None:
    """王小明: one to confirm, one to rate, one in progress, one rated; 李骑手: a gig offering in
    progress, one to confirm, one cancelled. Their orders replace a generated one in the same batch."""
    index = {p.id: p for p in cat.people}
    latest = cat.clock.now - timedelta(hours=1)
    for phone, member_id in cat.named.items():
        person = index.get(member_id)
        if person is None:
            continue
        mine = [o for o in cat.offerings if o.status == OfferingStatus.LISTED and eligible([person], o)]
        mine.sort(key=lambda o: (o.audience != Audience.GIG, o.pk))  # the rider's gig offerings first
        for status, offering in zip(market_demo.NAMED_ORDERS[phone], mine, strict=False):
            done = status in (OrderStatus.CONFIRMED, OrderStatus.REVIEWED)
            batch = next((b for b in cat.batches_of(offering) if (b.status == BatchStatus.CLOSED) == done), None)
            if batch is None:
                continue
            # take the place of a generated order of the same batch (the member's own, if drawn), so that
            # the batch and its slot stay within their places
            # (the first slot of a batch is the one already held, so the order can be served; one not
            # arranged yet books a slot still to come)
            slots = cat.slots.get(batch.pk, [None])
            slot = slots[-1] if status in (OrderStatus.PLACED, OrderStatus.ASSIGNED) else slots[0]
            same = [i for i, p in enumerate(plans) if p["batch"] is batch and p["slot"] is slot]
            own = [i for i, p in enumerate(plans) if p["batch"] is batch and p["member_id"] == person.id]
            if own:
                slot = plans[own[-1]]["slot"]
            if own or same:
                del plans[(own or same)[-1]]
            placed = batch.opens_at + timedelta(hours=rng.uniform(2, 30))
            plans.append(plan(offering, batch, slot, person, min(placed, latest), status))


def _follows(rng: random.Random, offerings: Sequence[Offering], people: Sequence[Person]) -> int:
    with_account = [p for p in people if p.user_id]
    rows: set[tuple[int, int]] = set()
    listed = [o for o in offerings if o.status == OfferingStatus.LISTED]
    for offering in listed:
        for person in rng.sample(eligible(with_account, offering), min(3, len(eligible(with_account, offering)))):
            rows.add((person.user_id, offering.pk))
    Follow.objects.bulk_create([Follow(user_id=u, offering_id=o) for u, o in rows])
    return len(rows)


def _needs(rng: random.Random, clock: _Clock, province: Union, people: Sequence[Person],
           offerings: Sequence[Offering], staff: User | None) -> int:
    categories = {name: NeedCategory.objects.create(union=province, name=name, position=i)
                  for i, name in enumerate(NEED_CATEGORIES)}
    if not people:
        return 0
    listed = [o for o in offerings if o.status == OfferingStatus.LISTED]
    rows: list[Need] = []
    for i in range(40):
        person = rng.choice(people)
        category, title = NEEDS[i % len(NEEDS)]
        created = clock.back(0.5, 60)
        need = Need(member_id=person.id, union_id=person.union_id, category=categories[category], title=title,
                    text="" if i % 3 else "请工会帮忙对接，谢谢！", created_at=created)
        fitting = [o for o in listed if eligible([person], o)]
        if i % 5 < 3 and fitting and staff is not None:
            offering = rng.choice(fitting)
            need.status, need.answer_offering, need.answer_provider = NeedStatus.ANSWERED, offering, offering.provider
            need.answer_text, need.answered_by = rng.choice(NEED_ANSWERS), staff
            need.answered_at = clock.after(created, 2, 72)
        rows.append(need)
    Need.objects.bulk_create(rows)
    return len(rows)
