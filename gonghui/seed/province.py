"""The demo province's members, drawn the generator's way: the people of ``people.py`` (Qinghai
names, ID numbers of the district they work in, the shared traits) placed at the workplaces of the
demo tree, and written through ``members.write`` — the one path generated members take to the
database, for ``gonghui seed`` and ``gonghui demo`` alike.

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

The workflows around the members (join applications, transfers, rights requests) go through the
members services, in ``gonghui/members/demo.py``; ``build_members`` hands them a ``Crowd`` (the
identities and workplaces drawn here), so that an applicant is drawn exactly as a member is.
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
from django.utils import timezone

from gonghui.accounts.demo import WORKER_PASSWORD, DemoPeople
from gonghui.accounts.models import User
from gonghui.members import demo as members_demo
from gonghui.members.demo import RIDER_JOINT, RIDER_PHONE, WORKER_PHONE
from gonghui.members.models import Education, EmploymentForm, GigOccupation, Household, Member, MemberStatus
from gonghui.members.services.registry import NOTICE_VERSION
from gonghui.members.services.roster import pinyin_keys
from gonghui.unions.demo import ANCHORS
from gonghui.unions.models import Employer, Union, UnionKind

from . import members as writing
from .people import (
    EDUCATION_GIG,
    EDUCATION_REGULAR,
    GIG_JOIN_REASONS,
    GIG_MEN,
    GIG_OCCUPATIONS,
    GIG_SHARE,
    LEAVE_REASONS,
    REGULAR_JOIN_REASONS,
    Identities,
    birth_date,
    household,
    join_date,
    pick,
    traits,
)
from .qinghai import CITIES, JOINT_UNIONS, DemoTree
from .trades import GIG

LEFT_SHARE = 0.02
BATCH = 2000
APPLICANT_PHONES_FROM = 13900030000

# Which kind of gig employer (trades.GIG) and joint union an occupation belongs with.
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
    """The gig employer kind (trades.GIG) that the demo's employer names give away, or ""."""
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



# --- The people ----------------------------------------------------------------------------------------------


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

    def row(self, rng: random.Random) -> dict[str, Any]:
        """The member's row (values by attname; ID number and phone in plain, the columns encrypt)."""
        full, initials = pinyin_keys(self.name)
        online = self.user is not None
        created = _at(self.joined, rng)
        return {
            "user_id": self.user.pk if self.user is not None else None, "name": self.name, "name_pinyin": full,
            "name_initials": initials, "id_number": self.id_number, "phone": self.phone,
            "gender": "M" if self.male else "F", "birth_date": self.born, "education": self.education,
            "household": self.household,
            "employment_form": EmploymentForm.GIG if self.occupation else EmploymentForm.REGULAR,
            "gig_occupation": self.occupation,
            "employer_id": self.place.employer.pk if self.place.employer is not None else None,
            "union_id": self.place.union.pk, "join_date": self.joined,
            "status": MemberStatus.LEFT if self.left_on else MemberStatus.ACTIVE,
            "notice_version": NOTICE_VERSION if online else "", "consented_at": created if online else None,
            "created_at": created, "model_worker_level": "", "hardship_level": "", "craftsman": False,
            "worker_representative": False, **self.tags,
        }


@dataclass
class Crowd:
    """Who the demo province's people are and where they work, drawn one way for members and applicants."""

    ids: Identities
    places: Workplaces

    @staticmethod
    def place(union: Union, employer: Employer | None = None) -> Place:
        return Place(union, employer)

    @staticmethod
    def gig_kind(employer: Employer) -> str:
        return gig_kind(employer)

    @staticmethod
    def occupation(rng: random.Random) -> str:
        return pick(rng, GIG_OCCUPATIONS)

    def name(self, rng: random.Random, *, male: bool) -> str:
        return self.ids.name(rng, male=male)

    def facts(self, rng: random.Random, place: Place, occupation: str = "") -> dict[str, Any]:
        """A worker of ``place`` (a gig worker when ``occupation`` is given), as Member field values
        without name, phone and dates: ID number, gender, birth date, education, household."""
        form = EmploymentForm.GIG if occupation else EmploymentForm.REGULAR
        male = rng.random() < (GIG_MEN[occupation] if occupation else 0.56)
        born = birth_date(rng, occupation)
        return {"male": male, "born": born,
                "id_number": self.ids.id_number(rng, region=self.places.region(rng, place), born=born, male=male),
                "education": pick(rng, EDUCATION_GIG if occupation else EDUCATION_REGULAR),
                "household": household(rng, form), "employment_form": form, "gig_occupation": occupation}

    def applicant(self, rng: random.Random, place: Place, occupation: str = "") -> dict[str, Any]:
        """What an applicant to ``place`` writes on the form (``joining.application_submit``'s fields)."""
        facts = self.facts(rng, place, occupation)
        del facts["male"], facts["born"]
        return {**facts, "employer": place.employer,
                "employer_name": "" if place.employer else SELF_EMPLOYED.get(occupation, "")}

    def person(self, rng: random.Random, *, today: date, occupation: str = "", place: Place | None = None) -> Person:
        """One member of the demo: a gig worker when ``occupation`` is given, else a regular worker."""
        place = place or (self.places.gig_place(rng, occupation) if occupation else self.places.regular_place(rng))
        facts = self.facts(rng, place, occupation)
        joined = join_date(rng, born=facts["born"], today=today, gig=bool(occupation))
        left_on = None
        if rng.random() < LEFT_SHARE and (today - joined).days > 60:
            left_on = joined + timedelta(days=rng.randrange(30, (today - joined).days))
        return Person(
            name=self.ids.name(rng, male=facts["male"]), id_number=facts["id_number"], phone=self.ids.phone(rng),
            male=facts["male"], born=facts["born"], place=place, occupation=occupation,
            education=facts["education"], household=facts["household"], joined=joined, left_on=left_on,
            tags=traits(rng, facts["employment_form"]))


def insert(rng: random.Random, persons: Sequence[Person]) -> list[Member]:
    """Members, their card numbers and their history rows, in batches, through ``members.write``."""
    keys: list[int] = []
    for start in range(0, len(persons), BATCH):
        chunk = persons[start:start + BATCH]
        rows = [p.row(rng) for p in chunk]
        history: list[dict[str, Any]] = []
        for p, row in zip(chunk, rows, strict=True):
            history.append(writing.history_row(
                row, event="join", to_status=MemberStatus.ACTIVE, at=row["created_at"],
                reason=rng.choice(GIG_JOIN_REASONS if p.occupation else REGULAR_JOIN_REASONS)))
            if p.left_on is not None:
                history.append(writing.history_row(
                    row, event="left", from_status=MemberStatus.ACTIVE, to_status=MemberStatus.LEFT,
                    reason="退休" if p.born.year < 1968 else rng.choice(LEAVE_REASONS), at=_at(p.left_on, rng)))
        writing.write(rows, history)
        keys += [row["id"] for row in rows]
    return list(Member.objects.filter(pk__in=keys).select_related("union", "user").order_by("pk"))


# --- Named logins and worker accounts ----------------------------------------------------------------------------


def _employer(tree: DemoTree, name: str) -> Employer | None:
    return next((e for e in tree.employers if e.name == name), None)


def _named(rng: random.Random, tree: DemoTree, people: DemoPeople, ids: Identities, places: Workplaces,
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


def _accounts(rng: random.Random, people: DemoPeople, ids: Identities, needed: int) -> list[User]:
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


def build_members(rng: random.Random, tree: DemoTree, people: DemoPeople, *,
                  count: int = members_demo.DEFAULT_MEMBERS) -> members_demo.DemoMembers:
    """``count`` members over the demo tree (the named worker logins among them, the other worker
    accounts linked to some of them or applying to join), then the workflow records around them
    (``members_demo.build_workflows``, through the services).

    Preconditions: inside a transaction; ``tree`` and ``people`` were just built by the unions and
    accounts demos; ``count`` ≥ members_demo.MIN_MEMBERS.
    """
    if count < members_demo.MIN_MEMBERS:
        raise ValueError(f"the members demo needs at least {members_demo.MIN_MEMBERS} members")
    today = timezone.localdate()
    crowd = Crowd(Identities(), Workplaces.of(tree))
    ids, places = crowd.ids, crowd.places

    persons = _named(rng, tree, people, ids, places, today)
    gig = round(count * GIG_SHARE) - sum(1 for p in persons if p.occupation)
    regular = count - len(persons) - gig
    occupations = [pick(rng, GIG_OCCUPATIONS) for _ in range(gig)] + [""] * regular
    rng.shuffle(occupations)
    persons += [crowd.person(rng, today=today, occupation=occupation) for occupation in occupations]

    # The plain worker accounts: the first apply to join, the rest are members (found by their account).
    accounts = _accounts(rng, people, ids, members_demo.APPLICANTS + members_demo.LINKED)
    applicants, linked = accounts[:members_demo.APPLICANTS], accounts[members_demo.APPLICANTS:]
    linkable = [p for p in persons[len(persons) - len(occupations):]
                if not p.occupation and not p.left_on and p.place.employer is not None
                and p.place.employer.union_established and (today - p.joined).days > 90]
    for p, user in zip(rng.sample(linkable, min(len(linked), len(linkable))), linked, strict=False):
        p.user, p.name, p.phone = user, user.name, user.phone

    members = insert(rng, persons)
    return members_demo.build_workflows(rng, tree, people, crowd, members=members, applicants=applicants)
