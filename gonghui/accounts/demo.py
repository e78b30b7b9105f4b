"""Demo accounts: named logins with fixed phone numbers, staff at every level of the demo tree,
plain worker accounts, and the liaisons of the demo employers.

The passwords are published in the README and the start-up banner: demo data is for trying the
platform out, never for production (the demo command refuses to run in production mode).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from gonghui.core.scope import Role
from gonghui.unions.demo import ANCHOR_GRASSROOTS
from gonghui.unions.models import Employer, Union, UnionKind

from .models import StaffAssignment, User

if TYPE_CHECKING:
    from gonghui.seed.qinghai import DemoTree

STAFF_PASSWORD = "Gonghui@2026"  # noqa: S105 - published demo password; staff rule: ≥ 8, 3 of 4 classes
WORKER_PASSWORD = "zhigong2026"  # noqa: S105 - published demo password; member rule: ≥ 8, not common
# The named staff logins' authenticator secret (TOTP, RFC 6238), published with the passwords: add it to any
# authenticator app, or run ``python -m gonghui demo_otp`` for the current code. Demo only: the demo command
# refuses to run in production, and real staff enrol their own secret on first sign-in.
DEMO_TOTP_SECRET = "GONGHUIDEMOTOTPSECRETONLYFORDEMO"  # noqa: S105 - published demo secret

# Generated accounts get numbers from these blocks, away from the named logins (139 0000 00xx).
STAFF_PHONES_FROM = 13900010000
WORKER_PHONES_FROM = 13900020000
WORKERS = 80


@dataclass(frozen=True)
class NamedLogin:
    label: str
    phone: str
    name: str
    union: str  # the union's name in the demo tree; "" for the superuser and workers
    role: str = ""  # a Role, or "" for a worker
    title: str = ""
    superuser: bool = False

    @property
    def password(self) -> str:
        return STAFF_PASSWORD if (self.role or self.superuser) else WORKER_PASSWORD

    @property
    def where(self) -> str:
        if self.superuser:
            return "系统后台 /admin/"
        if not self.role:
            return "职工端（手机H5）"
        return f"{self.union}（{Role(self.role).label}）"


NAMED_LOGINS: tuple[NamedLogin, ...] = (
    NamedLogin("系统超级管理员", "13900000000", "系统管理员", "", superuser=True),
    NamedLogin("省总管理员", "13900000001", "马建国", "青海省总工会", Role.ADMIN, "网络工作部部长"),
    NamedLogin("西宁市总工作人员", "13900000002", "李文娟", "西宁市总工会", Role.OFFICER, "基层工作部干事"),
    NamedLogin("城东区总工作人员", "13900000003", "韩永福", "城东区总工会", Role.OFFICER, "组织部干事"),
    NamedLogin("城东区只读", "13900000004", "张丽萍", "城东区总工会", Role.VIEWER, "经审会委员"),
    NamedLogin("城中区总工作人员", "13900000005", "祁海燕", "城中区总工会", Role.OFFICER, "权益保障部干事"),
    NamedLogin("基层工会工作人员", "13900000006", "赵志强", ANCHOR_GRASSROOTS, Role.OFFICER, "工会主席"),
    NamedLogin("审计员", "13900000007", "刘思源", "青海省总工会", Role.AUDITOR, "经费审查委员会办公室"),
    NamedLogin("西宁市总管理员", "13900000008", "杨光明", "西宁市总工会", Role.ADMIN, "办公室主任"),
    NamedLogin("海东市总工作人员", "13900000009", "才让卓玛", "海东市总工会", Role.OFFICER, "基层工作部干事"),
    NamedLogin("东关大街街道工作人员", "13900000012", "冶成林", "东关大街街道总工会", Role.OFFICER, "专职工会干事"),
    NamedLogin("职工", "13900000010", "王小明", ""),
    NamedLogin("新就业形态劳动者（骑手）", "13900000011", "李骑手", ""),
)

# (label, phone, password, where): what the start-up banner prints.
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    (login.label, login.phone, login.password, login.where) for login in NAMED_LOGINS
] + [
    # Made by the market demo (a model worker who serves orders); listed when it exists.
    ("劳模服务者（云集市）", "13900000020", WORKER_PASSWORD, "职工端 › 云集市 › 服务者工作台"),
    # Made by the benefits demo (a partner merchant's counter account).
    ("合作商户核销员", "13900000331", WORKER_PASSWORD, "职工端 › 领券 › 商户核销"),
]

SURNAMES = "王李张刘陈杨马韩赵祁冶孙周吴徐胡朱郭何罗高林谢宋唐许邓冯曹彭曾萧田董潘袁蔡蒋余鲁魏"
GIVEN = "建国海军永福文娟丽萍志强光明玉兰秀英小红春梅明德国庆桂花成林晓东雪莲宏伟海燕进忠德胜兰英思源佳怡子涵雨轩" \
        "浩然俊杰秀珍立新学军金花福全有才占元生军玉梅"
# Tibetan and Tu names are common in Qinghai and are not surname + given name.
FULL_NAMES = ("才让卓玛", "多杰才旦", "索南措", "扎西东珠", "拉毛草", "更登加", "桑吉本", "卓玛吉", "尕藏才让")

STREET_TITLES = ("专职工会干事", "网格员", "工会副主席")
GRASSROOTS_TITLES = ("工会主席", "工会副主席", "工会委员")


@dataclass
class DemoPeople:
    superuser: User
    named: dict[str, User] = field(default_factory=dict)  # by phone
    staff: list[User] = field(default_factory=list)
    workers: list[User] = field(default_factory=list)
    assignments: int = 0
    liaisons: int = 0

    @property
    def province_admin(self) -> User:
        return self.named["13900000001"]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(FULL_NAMES)
    given = "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _check_passwords() -> None:
    """The published passwords must pass the rules a real user's password would."""
    staff = User(name="demo")
    staff._becoming_staff = True  # type: ignore[attr-defined] - staff rules apply
    validate_password(STAFF_PASSWORD, staff)
    validate_password(WORKER_PASSWORD, User(name="demo"))


def build_people(rng: random.Random, tree: DemoTree, *, workers: int = WORKERS) -> DemoPeople:
    """Named logins, staff for every federation, joint and industry union and some grassroots ones,
    plain workers, and liaisons on the employers of ``tree``.

    Preconditions: ``tree`` was just built by gonghui.seed.qinghai.build_unions, in this transaction.
    """
    _check_passwords()
    # Hash each published password once: PBKDF2 costs ~0.3 s a hash, and every demo account shares
    # one of two passwords printed on the banner anyway.
    staff_hash, worker_hash = make_password(STAFF_PASSWORD), make_password(WORKER_PASSWORD)
    by_name = {union.name: union for union in tree.all_unions()}

    named: dict[str, User] = {}
    grants: list[tuple[User, Union, str, str]] = []
    for login in NAMED_LOGINS:
        named[login.phone] = User(phone=login.phone, name=login.name, is_superuser=login.superuser,
                                  password=staff_hash if (login.role or login.superuser) else worker_hash)
        if login.role:
            grants.append((named[login.phone], by_name[login.union], login.role, login.title))
    users: list[User] = list(named.values())

    phones = iter(range(STAFF_PHONES_FROM, WORKER_PHONES_FROM))
    staff: list[User] = []

    def hire(union: Union, role: str, title: str) -> User:
        user = User(phone=str(next(phones)), name=person_name(rng), password=staff_hash)
        users.append(user)
        staff.append(user)
        grants.append((user, union, role, title))
        return user

    street_officers: dict[int, User] = {}
    district_officers: dict[int, User] = {}
    hire(tree.province, Role.OFFICER, "权益保障部干事")
    for city in tree.cities.values():
        hire(city, Role.ADMIN, "组织部部长")
        hire(city, Role.OFFICER, "网络工作部干事")
    for district in tree.districts.values():
        hire(district, Role.ADMIN, "办公室主任")
        district_officers[district.pk] = hire(district, Role.OFFICER, "基层工作部干事")
        hire(district, Role.VIEWER, "经审会委员")
    for street in tree.streets.values():
        street_officers[street.pk] = hire(street, Role.OFFICER, rng.choice(STREET_TITLES))
    for union in [*tree.industry.values(), *tree.joint.values()]:
        hire(union, Role.OFFICER, "工会主席" if union.kind == UnionKind.INDUSTRY else "联合会主席")
    for union in tree.grassroots.values():
        if union.name != ANCHOR_GRASSROOTS and rng.random() < 0.4:
            hire(union, Role.OFFICER, rng.choice(GRASSROOTS_TITLES))

    worker_users = [User(phone=str(WORKER_PHONES_FROM + i), name=person_name(rng), password=worker_hash)
                    for i in range(workers)]
    users.extend(worker_users)
    User.objects.bulk_create(users, batch_size=250)  # pre_save still encrypts the phone and indexes it
    StaffAssignment.objects.bulk_create(
        [StaffAssignment(user=user, union=union, role=role, title=title) for user, union, role, title in grants],
        batch_size=250,
    )
    _enrol_named(named)
    people = DemoPeople(superuser=named["13900000000"], named=named, staff=staff, workers=worker_users,
                        assignments=len(grants))
    people.liaisons = _assign_liaisons(rng, tree, street_officers, district_officers,
                                       east_officer=named["13900000003"], east=tree.districts["城东区"])
    return people


def _enrol_named(named: dict[str, User]) -> None:
    """The named logins that must pass a second factor get the published demo authenticator, so that
    ``make run`` needs no phone: the code is on the banner's command (the other demo staff enrol on first
    sign-in, like real staff)."""
    from .second_factor import enrol_with_secret, requires_second_factor

    for user in named.values():
        if requires_second_factor(user):
            enrol_with_secret(user, DEMO_TOTP_SECRET)


def _assign_liaisons(rng: random.Random, tree: DemoTree, street_officers: dict[int, User],
                     district_officers: dict[int, User], *, east_officer: User, east: Union) -> int:
    """Most employers get a liaison from the nearest street (or district) union above them; in 城东区
    the named district officer looks after a share, so that login has employers of its own."""
    changed: list[Employer] = []
    for employer in tree.employers:
        if rng.random() >= 0.75:
            continue
        ancestors = [*employer.union.ancestor_ids, employer.union.pk]
        liaison = next((street_officers[pk] for pk in reversed(ancestors) if pk in street_officers), None)
        if employer.union.path.startswith(east.path) and (liaison is None or rng.random() < 0.3):
            liaison = east_officer
        if liaison is None:
            liaison = next((district_officers[pk] for pk in reversed(ancestors) if pk in district_officers), None)
        if liaison is None:
            continue
        employer.liaison = liaison
        changed.append(employer)
    Employer.objects.bulk_update(changed, ["liaison"], batch_size=250)
    return len(changed)
