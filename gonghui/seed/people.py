"""Synthetic people: realistic and unique, millions of them without a lookup.

Moved here from the former ``seed_members`` command. The ``index``-th person of a stream has an ID
number and a phone that are bijections of the index, so distinct indexes never collide and no set
of numbers already given out is needed:

* ID numbers are valid GB 11643 numbers (check character included) with real region codes from all
  over China (where people were born), a birth date in 1962–2006 and a sequence whose parity is the
  gender;
* phones are unique mobile numbers over the common prefixes;
* names: surnames by frequency and given names by gender, from the members demo's tables;
* about 15% are gig workers (新就业形态) — or whatever the caller decides — with the demo's spread of
  occupations, each occupation's share of men and women respected;
* education, household, model workers (劳模), craftsmen, hardship (困难职工) and worker
  representatives follow the demo's shares for regular and gig workers.

``person_rows`` gives the same people as rows of the roster import template (for the import bench).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from gonghui.lib.idcard import check_char
from gonghui.members.demo import (
    AGRICULTURAL,
    CRAFTSMAN,
    EDUCATION_GIG,
    EDUCATION_REGULAR,
    GIG_MEN,
    GIG_OCCUPATIONS,
    GIVEN_ONE,
    GIVEN_TWO,
    HARDSHIP,
    MODEL_WORKER,
    PHONE_PREFIXES,
    REPRESENTATIVE,
    SURNAMES,
)
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


def _level(rng: random.Random, shares: dict[str, float], scale: float = 1.0) -> str:
    roll = rng.random() * scale
    for level, share in shares.items():
        if roll < share:
            return level
        roll -= share
    return ""


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
    model_worker = _level(rng, MODEL_WORKER)
    return {
        "name": name(rng, male=male), "id_number": id_number, "phone": phone, "gender": "M" if male else "F",
        "birth_date": born, "employment_form": form, "gig_occupation": _OCCUPATIONS[male].pick(rng) if gig else "",
        "education": _EDUCATION[gig].pick(rng),
        "household": Household.AGRICULTURAL if rng.random() < AGRICULTURAL[form] else Household.NON_AGRICULTURAL,
        "join_date": earliest + timedelta(days=rng.randrange(span)) if span > 0 else joined_by,
        "model_worker_level": model_worker, "hardship_level": _level(rng, HARDSHIP, 1.6 if gig else 1.0),
        "craftsman": rng.random() < CRAFTSMAN[form] + (0.3 if model_worker else 0),
        "worker_representative": rng.random() < REPRESENTATIVE[form] + (0.5 if model_worker else 0),
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
