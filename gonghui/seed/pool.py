"""The members of the subtree, read once and held compactly, for the service modules to draw from.

Members are ordered by their union's depth-first position, so the members of any union's subtree
are one contiguous range: drawing "a member under this union" is a random index into the range.
A few flags per member (woman, gig worker, current member, model worker or craftsman, in hardship),
the birth date and the day they were registered let the draws respect audiences (女职工, 新就业形态,
劳模工匠, ages) and dates without a query. Names and phones are read only for the members a part
needs them for.
"""

from __future__ import annotations

import random
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from gonghui.lib import crypto
from gonghui.members.models import EmploymentForm, Gender, Member, MemberStatus

from .tree import Node, Tree

WOMAN, GIG, CURRENT, MODEL, HARDSHIP = 1, 2, 4, 8, 16
_CURRENT = (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING)


def _flags(gender: str, form: str, status: str, model: str, craftsman: bool, hardship: str) -> int:
    return ((WOMAN if gender == Gender.FEMALE else 0) | (GIG if form == EmploymentForm.GIG else 0)
            | (CURRENT if status in _CURRENT else 0) | (MODEL if model or craftsman else 0)
            | (HARDSHIP if hardship else 0))


class MemberPool:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.rank = {node.pk: i for i, node in enumerate(tree.nodes)}
        self._keys = [node.key for node in tree.nodes]
        self._ends: dict[int, int] = {}
        columns = ("pk", "union_id", "employer_id", "gender", "employment_form", "status", "birth_date",
                   "model_worker_level", "craftsman", "hardship_level", "created_at")
        rows = (Member.objects.filter(union__path__startswith=tree.root.path).order_by()
                .values_list(*columns).iterator(chunk_size=20_000))
        pks, unions, employers, flags = array("q"), array("q"), array("q"), bytearray()
        born, since, ranks = array("i"), array("i"), array("i")
        for pk, union, employer, gender, form, status, birth, model, craftsman, hardship, created in rows:
            if union not in self.rank:  # an inactive union's members
                continue
            pks.append(pk)
            unions.append(union)
            employers.append(employer or 0)
            flags.append(_flags(gender, form, status, model, craftsman, hardship))
            born.append(birth.toordinal() if birth else 0)
            since.append(timezone.localdate(created).toordinal())
            ranks.append(self.rank[union])
        order = sorted(range(len(pks)), key=lambda i: (ranks[i] << 40) + pks[i])
        self.pk = array("q", (pks[i] for i in order))
        self.union = array("q", (unions[i] for i in order))
        self.employer = array("q", (employers[i] for i in order))
        self.flags = bytes(flags[i] for i in order)
        self.born = array("i", (born[i] for i in order))
        self.since = array("i", (since[i] for i in order))  # the day the member was registered
        self._ranks = array("i", (ranks[i] for i in order))

    def __len__(self) -> int:
        return len(self.pk)

    def span(self, node: Node) -> tuple[int, int]:
        """The index range of the members of ``node``'s subtree."""
        first = self.rank[node.pk]
        if first not in self._ends:
            self._ends[first] = bisect_left(self._keys, (*node.key, sys.maxsize))
        return bisect_left(self._ranks, first), bisect_left(self._ranks, self._ends[first])

    def size(self, node: Node, need: int = CURRENT) -> int:
        lo, hi = self.span(node)
        return sum(1 for i in range(lo, hi) if self.flags[i] & need == need) if need else hi - lo

    def age(self, i: int, on: date) -> int | None:
        if not self.born[i]:
            return None
        born = date.fromordinal(self.born[i])
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def pick(self, rng: random.Random, node: Node, need: int = CURRENT,
             fits: Callable[[int], bool] | None = None, tries: int = 40) -> int | None:
        """A random member of ``node``'s subtree with the ``need`` flags (and ``fits``), or None."""
        lo, hi = self.span(node)
        if hi <= lo:
            return None
        for _ in range(tries):
            i = rng.randrange(lo, hi)
            if self.flags[i] & need == need and (fits is None or fits(i)):
                return i
        return None

    def sample(self, rng: random.Random, node: Node, k: int, need: int = CURRENT,
               fits: Callable[[int], bool] | None = None) -> list[int]:
        """Up to ``k`` distinct members of ``node``'s subtree with the ``need`` flags (and ``fits``)."""
        lo, hi = self.span(node)
        if k <= 0 or hi <= lo:
            return []
        chosen: list[int] = []
        if k * 3 < hi - lo:  # a few of many: draw and check
            seen: set[int] = set()
            for _ in range(k * 20):
                i = rng.randrange(lo, hi)
                if i not in seen and self.flags[i] & need == need and (fits is None or fits(i)):
                    chosen.append(i)
                    if len(chosen) == k:
                        return chosen
                seen.add(i)
        # most of a small subtree, or few fit: list who fits, then draw the rest
        taken = set(chosen)
        fitting = [i for i in range(lo, hi)
                   if i not in taken and self.flags[i] & need == need and (fits is None or fits(i))]
        return chosen + rng.sample(fitting, min(k - len(chosen), len(fitting)))

    def fitting(self, node: Node, need: int = CURRENT, fits: Callable[[int], bool] | None = None) -> list[int]:
        """Every member of ``node``'s subtree with the ``need`` flags, in key order (what a rule selects)."""
        lo, hi = self.span(node)
        found = [i for i in range(lo, hi) if self.flags[i] & need == need and (fits is None or fits(i))]
        found.sort(key=self.pk.__getitem__)
        return found


def details(pks: Iterable[int]) -> dict[int, tuple[str, str, str, int | None]]:
    """pk → (name, phone, phone blind index, account) of some members (the phones decrypted).

    Plain SQL on the model's table: the ORM would spend more on the thousands of key parameters than
    the database does on the rows.
    """
    found: dict[int, tuple[str, str, str, int | None]] = {}
    table = connection.ops.quote_name(Member._meta.db_table)
    wanted = sorted(set(pks))
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start:start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id, name, phone, phone_index, user_id FROM {table} "  # noqa: S608
                           f"WHERE id IN ({marks})", chunk)
            for pk, name, phone, index, user in cursor.fetchall():
                found[pk] = (name, crypto.decrypt(phone) if phone else "", index or "", user)
    return found


def names_of(model: Any, pks: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(pks) - {0})
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        found.update(model.objects.filter(pk__in=wanted[start:start + 5000]).values_list("pk", "name"))
    return found
