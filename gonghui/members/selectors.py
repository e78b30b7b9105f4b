"""Read-side queries of the registry, shared by the console pages, the API and the exports.

Everything starts from ``Member.objects.visible_to(user)``; parameters only narrow it. A union
parameter outside the caller's scope is a 404 (through the unions gate), never an empty widening.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, F, OrderBy, Q, QuerySet

from gonghui.core.fields import lookup_index
from gonghui.core.scope import scope_of
from gonghui.lib.text import compact
from gonghui.unions.access import access_union
from gonghui.unions.models import Union

from .models import (
    EmploymentForm,
    GigOccupation,
    HardshipLevel,
    InitialsHead,
    Member,
    MemberStatus,
    ModelWorkerLevel,
    Transfer,
)

FILTER_KEYS = ("q", "union", "form", "occupation", "hardship", "model_worker", "status", "joined_from", "joined_to",
               "claimed")
CLAIMED = ("yes", "no")  # the 认证 filter: 已认证 (bound to an account) / 未认证
ANY = "any"  # for hardship and model_worker: "any level"
CURRENT = ""  # the status filter's default: members who belong to a union now
ALL = "all"
_ID_LIKE = re.compile(r"[0-9]{17}[0-9xX]|[0-9]{15}")
_PHONE_LIKE = re.compile(r"(?:\+?86)?1[0-9]{10}")
_LATIN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class MemberFilters:
    """The cleaned list parameters (unknown values dropped, text trimmed)."""

    q: str = ""
    union: Union | None = None
    form: str = ""
    occupation: str = ""
    hardship: str = ""
    model_worker: str = ""
    status: str = CURRENT
    joined_from: date | None = None
    joined_to: date | None = None
    claimed: str = ""

    def as_params(self) -> dict[str, str]:
        """For links, the export and the audit row: only what is set."""
        values = {
            "q": self.q, "union": str(self.union.uuid) if self.union else "", "form": self.form,
            "occupation": self.occupation, "hardship": self.hardship, "model_worker": self.model_worker,
            "status": self.status, "joined_from": self.joined_from.isoformat() if self.joined_from else "",
            "joined_to": self.joined_to.isoformat() if self.joined_to else "",
            "claimed": self.claimed,
        }
        return {k: v for k, v in values.items() if v}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def member_filters(user: Any, params: Mapping[str, Any]) -> MemberFilters:
    """Clean list parameters. Raises NotFound when ``union`` names a union outside the user's scope."""
    get = {key: str(params.get(key) or "").strip()[:60] for key in FILTER_KEYS}
    union = access_union(user, get["union"]) if get["union"] else None
    choose = {
        "form": EmploymentForm.values, "occupation": GigOccupation.values,
        "hardship": [*HardshipLevel.values, ANY], "model_worker": [*ModelWorkerLevel.values, ANY],
        "status": [*MemberStatus.values, ALL], "claimed": CLAIMED,
    }
    chosen = {key: get[key] if get[key] in allowed else "" for key, allowed in choose.items()}
    return MemberFilters(q=" ".join(get["q"].split())[:50], union=union, joined_from=_date(get["joined_from"]),
                         joined_to=_date(get["joined_to"]), **chosen)


def _prefix(field: str, text: str) -> Q:
    """``field`` starts with ``text``, in a form each database answers from its index: PostgreSQL
    through the varchar_pattern_ops index (LIKE 'x%'); SQLite's LIKE is case-insensitive and can't
    use a plain index, but a range on the binary-collated column can, and it is the same set."""
    if connection.vendor == "sqlite" and ord(text[-1]) < 0x10FFFF:
        return Q(**{f"{field}__gte": text, f"{field}__lt": text[:-1] + chr(ord(text[-1]) + 1)})
    return Q(**{f"{field}__startswith": text})


def _pinyin_prefix(text: str) -> Q:
    """``name_pinyin`` starts with ``text`` (lower-case latin letters, as pinyin is), as the range
    [text, text with its last letter raised) that a plain index on (name_pinyin, id) answers in
    display order on PostgreSQL under any collation and on SQLite (binary)."""
    upper = text[:-1] + chr(ord(text[-1]) + 1)
    return Q(name_pinyin__gte=text, name_pinyin__lt=upper)


class _PatternOrder(OrderBy):
    """``ORDER BY <column> USING ~<~`` (PostgreSQL): the order of a varchar_pattern_ops index. A
    plain ORDER BY name can't walk that index, so a prefix search had to fetch and sort every match
    (80,000 rows for "王" among a million members, 200+ ms); walking the index stops after one page.
    It is code-point order, the same order SQLite's binary collation gives. (PostgreSQL allows no
    ASC after USING; the comment is for Django, whose compiler looks for ASC/DESC in each term.)"""

    template = "%(expression)s USING ~<~ /* ASC */"


def _by(field: str) -> Any:
    return _PatternOrder(F(field)) if connection.vendor == "postgresql" else field


def query_kind(q: str) -> str:
    """How a search text is read: "id", "phone", "pinyin", "name" (or "" for no text)."""
    folded = compact(q)
    if not folded:
        return ""
    if _ID_LIKE.fullmatch(folded):
        return "id"
    if _PHONE_LIKE.fullmatch(folded):
        return "phone"
    if _LATIN.fullmatch(folded.lower()):
        return "pinyin"
    return "name"


def member_search(user: Any, params: Mapping[str, Any] | MemberFilters) -> QuerySet[Member]:
    """Members visible to ``user`` that match the parameters, ordered for display.

    ``q``: an ID number (18 or 15 characters, any spacing or width) or a mobile number matches
    exactly, through the blind index; latin letters match pinyin initials (``zs`` → 张三) or full
    pinyin (``zhangs``); anything else matches the start of the name. Raises NotFound for a union
    filter outside the user's scope.
    """
    filters = params if isinstance(params, MemberFilters) else member_filters(user, params)
    qs = Member.objects.visible_to(user)
    order = [_by("name"), "id"]
    kind = query_kind(filters.q)
    if kind == "id":
        qs = qs.filter(id_index=lookup_index(Member, "id_index", filters.q) or "-")
    elif kind == "phone":
        qs = qs.filter(phone_index=lookup_index(Member, "phone_index", filters.q) or "-")
    elif kind == "pinyin":
        text = compact(filters.q).lower()
        order = ["name_pinyin", "id"]
        pinyin = _pinyin_prefix(text)
        if len(text) == 1:
            # The first initial is the first letter of the full pinyin (both come from the same
            # lazy_pinyin reading, tests/test_search.py checks it), so "initials OR pinyin" is the
            # pinyin prefix alone, read in order from member_pinyin_order_idx.
            qs = qs.filter(pinyin)
        else:
            # Matches of the initials that the pinyin prefix does not already give, from an index
            # that yields them in display order when the initials prefix is two or three letters.
            if len(text) <= 3:  # the first two or three initials are exactly the text
                initials = Q(**{f"initials_head{len(text)}": text})
                qs = qs.alias(**{f"initials_head{len(text)}": InitialsHead(length=len(text))})
            else:
                initials = _prefix("name_initials", text)
            whole_at = len(qs.query.where.children)
            qs = qs.filter(pinyin | initials)
            # A page is read from the two parts separately, in order, and merged (MemberQuerySet),
            # instead of sorting every match of the OR: the cost of a page does not grow with the registry.
            # The initials' own matches lie before or after the pinyin range: two more index ranges.
            upper = text[:-1] + chr(ord(text[-1]) + 1)
            parts = (pinyin, initials & Q(name_pinyin__lt=text), initials & Q(name_pinyin__gte=upper))
            qs = qs.in_ordered_parts(parts, tuple(order), whole_at=whole_at)
    elif kind == "name":
        qs = qs.filter(_prefix("name", filters.q))
    if filters.union is not None:
        qs = qs.filter(union__path__startswith=filters.union.path)
    if filters.form:
        qs = qs.filter(employment_form=filters.form)
    if filters.occupation:
        qs = qs.filter(gig_occupation=filters.occupation)
    if filters.hardship == ANY:
        qs = qs.exclude(hardship_level="")
    elif filters.hardship:
        qs = qs.filter(hardship_level=filters.hardship)
    if filters.model_worker == ANY:
        qs = qs.exclude(model_worker_level="")
    elif filters.model_worker:
        qs = qs.filter(model_worker_level=filters.model_worker)
    if filters.status == CURRENT:
        qs = qs.current()
    elif filters.status != ALL:
        qs = qs.filter(status=filters.status)
    if filters.joined_from:
        qs = qs.filter(join_date__gte=filters.joined_from)
    if filters.joined_to:
        qs = qs.filter(join_date__lte=filters.joined_to)
    if filters.claimed:
        qs = qs.filter(user__isnull=filters.claimed == "no")
    return qs.order_by(*order)


@dataclass(frozen=True)
class UnionCount:
    union: Union
    count: int


@dataclass(frozen=True)
class UnionCounts:
    """Matching members per child of ``union`` (or per top union of the user's scope when None)."""

    union: Union | None
    own: int  # members directly in ``union`` itself
    children: list[UnionCount]

    @property
    def total(self) -> int:
        return self.own + sum(c.count for c in self.children)


def counting_root(user: Any, filters: MemberFilters) -> Union | None:
    """The union whose children the counts panel lists: the filtered union, else the user's one top
    union (None when the user's scope has several tops, or everything)."""
    if filters.union is not None:
        return filters.union
    scope = scope_of(user)
    tops = [] if scope.is_superuser else scope.paths()
    if len(tops) == 1:
        return Union.objects.filter(path=tops[0]).first()
    return None


def child_union_counts(user: Any, union: Union | None, qs: QuerySet[Member]) -> UnionCounts:
    """Counts of ``qs`` (already scoped and filtered) per child union of ``union``, in two queries
    whatever the number of unions: one GROUP BY over the members' union paths, one for the children.
    A member belongs to the child whose pk is the first path segment after ``union.path``."""
    if union is None:
        scope = scope_of(user)
        if scope.is_superuser:
            children = list(Union.objects.filter(parent__isnull=True).order_by("name"))
        else:
            children = list(Union.objects.filter(path__in=scope.paths()).order_by("path"))
        prefix = ""
    else:
        children = list(union.children.order_by("-is_active", "name"))
        prefix = union.path
    by_path = qs.order_by().values_list("union__path").annotate(n=Count("id"))
    if prefix:
        by_path = by_path.filter(union__path__startswith=prefix)
    own = 0
    per_child: dict[int, int] = {}
    top_by_path = {c.path: c.pk for c in children} if union is None else {}
    for path, n in by_path:
        if union is None:
            top = next((pk for top_path, pk in top_by_path.items() if path.startswith(top_path)), None)
            if top is not None:
                per_child[top] = per_child.get(top, 0) + n
            continue
        rest = path[len(prefix):]
        if not rest:
            own += n
            continue
        child = int(rest.split("/", 1)[0])
        per_child[child] = per_child.get(child, 0) + n
    return UnionCounts(union=union, own=own, children=[UnionCount(c, per_child.get(c.pk, 0)) for c in children])


def member_history(member: Member) -> QuerySet[Any]:
    return member.history.select_related("from_union", "to_union", "actor").order_by("-created_at", "-id")


def transfer_full(key: Any) -> Transfer:
    """A transfer with everything its API answer shows (the caller already passed the gate)."""
    return (Transfer.objects.select_related("member__union", "member__employer", "from_union", "to_union",
                                            "to_employer")
            .prefetch_related("events").get(uuid=key))
