"""Read-side queries of the market, shared by the pages, the API and the exports.

Staff lists start from ``visible_to(user)``; the member catalogue starts from the listed offerings
the member's audience rules allow; a provider's lists from its own offerings. Parameters only narrow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from gonghui.core.scope import scope_of
from gonghui.lib.text import clean_line, parse_uuid
from gonghui.members.models import EmploymentForm, Gender, Member
from gonghui.unions.models import Brand, Union

from .models import (
    ACTIVE_STATUSES,
    SERVED_STATUSES,
    Audience,
    Batch,
    Domain,
    Follow,
    Need,
    NeedCategory,
    NeedStatus,
    Offering,
    OfferingStatus,
    Order,
    OrderStatus,
    Provider,
    Review,
    Slot,
)

Q_MAX = 50


# --- Staff lists: reviews, needs, need categories ------------------------------------------------------------------


def review_list(user: Any, rating: int | None = None) -> QuerySet[Review]:
    """Reviews of the offerings in the user's scope, newest first (``rating``: only those stars)."""
    qs = (Review.objects.filter(offering__in=Offering.objects.visible_to(user))
          .select_related("offering__provider", "order__member").order_by("-created_at", "-id"))
    return qs.filter(rating=rating) if rating else qs


def need_list(user: Any, *, status: str = "", category: Any = None) -> QuerySet[Need]:
    """Needs in the user's scope, newest first (``status`` and the category's key narrow it)."""
    qs = Need.objects.visible_to(user).select_related("category", "union", "member", "answer_offering",
                                                      "answer_provider")
    if status in NeedStatus.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__uuid=parse_uuid(category))
    return qs.order_by("-created_at", "-id")


def need_counts_by_category(user: Any) -> QuerySet[Need]:
    """Per category of the needs in the user's scope: how many, how many open (most open first)."""
    return (Need.objects.visible_to(user).order_by().values("category__uuid", "category__name")
            .annotate(total=Count("id"), open=Count("id", filter=Q(status=NeedStatus.OPEN)))
            .order_by("-open", "category__name"))


def need_categories(user: Any) -> QuerySet[NeedCategory]:
    """The need categories of the unions in the user's scope, by union and position."""
    return NeedCategory.objects.visible_to(user).select_related("union").order_by("union__path", "position", "id")


# --- What the services read ---------------------------------------------------------------------------------------


def brand_choices(union: Union) -> QuerySet[Brand]:
    """Brands an offering of ``union`` may carry: the brand matrices of its union and its ancestors."""
    return Brand.objects.filter(union_id__in=[*union.ancestor_ids, union.pk]).select_related("parent", "union")


def offering_audience_unions(union: Union) -> list[Union]:
    """The unions an offering of ``union`` may be meant for (its subtree, three levels, capped list)."""
    return list(Union.objects.subtree(union).active().filter(depth__lte=union.depth + 3).order_by("path")[:500])


def categories_for(member: Member) -> QuerySet[NeedCategory]:
    """The active need categories a member may choose: those of their union and its ancestors."""
    chain = [*member.union.ancestor_ids, member.union_id]
    return NeedCategory.objects.filter(union_id__in=chain, is_active=True).select_related("union").order_by(
        "union__depth", "position", "id")


def next_batch_for(member: Member, offering: Offering) -> tuple[Batch, Slot | None] | None:
    """Where a reorder goes: the earliest orderable batch with a place left that the member does not
    already hold an order in (and its earliest slot with a place left that has not started)."""
    now = timezone.now()
    held = Order.objects.filter(member=member, status__in=ACTIVE_STATUSES).values("batch_id")
    for batch in (Batch.objects.orderable(now).filter(offering=offering, taken__lt=F("capacity"))
                  .exclude(pk__in=held).select_related("offering__union", "offering__provider__user")
                  .order_by("opens_at", "id")):
        slots = list(batch.slots.all())
        if not slots:
            return batch, None
        slot = next((s for s in slots if s.taken < s.capacity and s.starts_at > now), None)
        if slot is not None:
            return batch, slot
    return None


def relist_recipients(batch: Batch) -> list[Any]:
    """Who hears of a new batch: followers and members who ordered the offering before (each once)."""
    from django.contrib.auth import get_user_model

    offering_id = batch.offering_id
    followers = Follow.objects.filter(offering_id=offering_id).values("user_id")
    customers = Order.objects.filter(offering_id=offering_id, member__user__isnull=False).exclude(
        batch_id=batch.pk).values("member__user_id")
    users = get_user_model().objects.filter(is_active=True).filter(Q(pk__in=followers) | Q(pk__in=customers))
    return list(users.order_by("pk"))


def clean_q(value: Any) -> str:
    return clean_line(value)[:Q_MAX]


# --- The catalogue (H5 and API) ----------------------------------------------------------------------------------


def catalogue(member: Member | None, *, q: str = "", domain: str = "", brand: Brand | None = None,
              provider: Provider | None = None) -> QuerySet[Offering]:
    """Listed offerings, newest first. For a member, only those they may order: offerings of their
    union's chain (or of a root union) whose audience covers them; for anyone else, all of them."""
    qs = Offering.objects.filter(status=OfferingStatus.LISTED)
    if member is not None:
        chain = [*member.union.ancestor_ids, member.union_id]
        audience = Q(audience=Audience.ALL) | Q(audience=Audience.UNION, audience_union_id__in=chain)
        if member.employment_form == EmploymentForm.GIG:
            audience |= Q(audience=Audience.GIG)
        if member.gender == Gender.FEMALE:
            audience |= Q(audience=Audience.WOMEN)
        qs = qs.filter(Q(union_id__in=chain) | Q(union__parent__isnull=True)).filter(audience)
    if domain in Domain.values:
        qs = qs.filter(domain=domain)
    if brand is not None:
        qs = qs.filter(brands=brand)
    if provider is not None:
        qs = qs.filter(provider=provider)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(provider__name__icontains=q))
    return qs.select_related("provider", "union").order_by("-listed_at", "-id")


def attach_remaining(offerings: Sequence[Offering]) -> Sequence[Offering]:
    """Set ``offering.remaining`` (places left in its orderable batches) on each, in one query."""
    ids = [o.pk for o in offerings]
    rows = (Batch.objects.orderable().filter(offering_id__in=ids).values("offering_id")
            .annotate(capacity=Sum("capacity"), taken=Sum("taken")))
    left = {r["offering_id"]: max((r["capacity"] or 0) - (r["taken"] or 0), 0) for r in rows}
    for offering in offerings:
        offering.remaining = left.get(offering.pk, 0)
        offering.open_batches = offering.pk in left
    return offerings


def with_remaining_column(qs: QuerySet[Offering]) -> QuerySet[Offering]:
    """``qs`` with the places left in each offering's orderable batches selected with it (a correlated
    subquery, NULL without an orderable batch): what ``attach_remaining`` computes, in the page's own
    query. ``remaining_from_column`` sets ``remaining`` and ``open_batches`` from it."""
    left = (Batch.objects.orderable().filter(offering=OuterRef("pk")).order_by().values("offering")
            .annotate(left=Sum("capacity") - Sum("taken")).values("left"))
    return qs.annotate(remaining_left=Subquery(left, output_field=IntegerField()))


def remaining_from_column(offerings: Sequence[Offering]) -> Sequence[Offering]:
    for offering in offerings:
        left = offering.remaining_left
        offering.remaining = max(left or 0, 0)
        offering.open_batches = left is not None
    return offerings


def offering_batches(offering: Offering) -> list[Batch]:
    """The offering's batches still open (in window or upcoming), with their slots."""
    now = timezone.now()
    return list(offering.batches.filter(status="open").filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
                .prefetch_related("slots").order_by("opens_at", "id"))


def offering_reviews(offering: Offering, limit: int = 20) -> QuerySet[Review]:
    return offering.reviews.select_related("order__member").order_by("-created_at", "-id")[:limit]


# --- Staff lists ---------------------------------------------------------------------------------------------------


def offering_list(user: Any, params: Mapping[str, Any]) -> QuerySet[Offering]:
    """Offerings in the user's scope, filtered by status, domain, provider and text."""
    qs = Offering.objects.visible_to(user)
    status = str(params.get("status") or "")
    if status in OfferingStatus.values:
        qs = qs.filter(status=status)
    domain = str(params.get("domain") or "")
    if domain in Domain.values:
        qs = qs.filter(domain=domain)
    q = clean_q(params.get("q"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(provider__name__icontains=q))
    return qs.select_related("provider", "union").order_by("-updated_at", "-id")


def offering_status_counts(user: Any) -> dict[str, int]:
    rows = Offering.objects.visible_to(user).order_by().values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


BOARD_STATUSES = (OrderStatus.PLACED, OrderStatus.ASSIGNED, OrderStatus.DELIVERED, OrderStatus.CONFIRMED,
                  OrderStatus.REVIEWED, OrderStatus.CANCELLED, OrderStatus.NO_SHOW)


def order_board(user: Any, params: Mapping[str, Any]) -> QuerySet[Order]:
    """Orders in the user's scope (the offering's branch), by state, newest first."""
    qs = Order.objects.visible_to(user)
    return order_filters(qs, params)


def order_filters(qs: QuerySet[Order], params: Mapping[str, Any]) -> QuerySet[Order]:
    status = str(params.get("status") or "")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    domain = str(params.get("domain") or "")
    if domain in Domain.values:
        qs = qs.filter(offering__domain=domain)
    offering = str(params.get("offering") or "")
    if offering:
        qs = qs.filter(offering__uuid=parse_uuid(offering))
    # Two joins, the rest fetched by key for the page's rows: with seven joins PostgreSQL spent some
    # 50 ms planning each page of the board, ten times what running it took.
    return (qs.select_related("offering__provider").prefetch_related("batch", "slot", "member", "member_union")
            .order_by("-placed_at", "-id"))


def status_counts(qs: QuerySet[Order], statuses: Iterable[str] | None = None) -> dict[str, int]:
    """Orders per status, in one GROUP BY; only ``statuses`` when given.

    The order board counts only the states still in progress (models.OPEN_STATUSES): those are the numbers
    staff act on, and a tally of every finished order of a city (a quarter of a million rows)
    would cost a second per page view; the statistics page has those totals."""
    qs = qs.order_by()
    if statuses is not None:
        # one COUNT per state: each an index-only range of (status, union), where a GROUP BY over
        # the three states made PostgreSQL read the rows themselves
        return {status: qs.filter(status=status).count() for status in statuses}
    rows = qs.values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


@dataclass
class Workload:
    provider: Provider
    counts: dict[str, int] = field(default_factory=dict)
    offerings: int = 0

    @property
    def open(self) -> int:
        return sum(self.counts.get(s, 0) for s in (OrderStatus.PLACED, OrderStatus.ASSIGNED, OrderStatus.DELIVERED))

    @property
    def served(self) -> int:
        return sum(self.counts.get(s, 0) for s in SERVED_STATUSES)


def provider_workload(user: Any, providers: Iterable[Provider]) -> list[Workload]:
    """Orders per status for each provider, in one GROUP BY over the user's visible orders."""
    providers = list(providers)
    ids = [p.pk for p in providers]
    rows = (Order.objects.visible_to(user).filter(offering__provider_id__in=ids).order_by()
            .values("offering__provider_id", "status").annotate(n=Count("id")))
    per: dict[int, dict[str, int]] = {}
    for row in rows:
        per.setdefault(row["offering__provider_id"], {})[row["status"]] = row["n"]
    offerings = dict(Offering.objects.filter(provider_id__in=ids, status=OfferingStatus.LISTED).order_by()
                     .values_list("provider_id").annotate(n=Count("id")))
    return [Workload(provider=p, counts=per.get(p.pk, {}), offerings=offerings.get(p.pk, 0)) for p in providers]


def provider_list(user: Any, params: Mapping[str, Any]) -> QuerySet[Provider]:
    qs = Provider.objects.visible_to(user).select_related("union", "user")
    kind = str(params.get("kind") or "")
    if kind:
        qs = qs.filter(kind=kind)
    q = clean_q(params.get("q"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(specialty__icontains=q))
    return qs.order_by("name", "id")


# --- Statistics ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    orders: int
    served: int
    cancelled: int
    rating: float | None
    reviews: int


@dataclass(frozen=True)
class Period:
    since: date | None = None
    until: date | None = None

    def bounds(self, prefix: str = "") -> Q:
        """Orders placed in the period (``prefix``: the path to the order, e.g. "order__")."""
        tz = timezone.get_current_timezone()
        condition = Q()
        if self.since:
            condition &= Q(**{f"{prefix}placed_at__gte": datetime.combine(self.since, time.min, tzinfo=tz)})
        if self.until:
            condition &= Q(**{f"{prefix}placed_at__lt": datetime.combine(self.until, time.max, tzinfo=tz)})
        return condition


def period_from(params: Mapping[str, Any]) -> Period:
    def parse(value: Any) -> date | None:
        try:
            return date.fromisoformat(str(value or ""))
        except ValueError:
            return None

    return Period(since=parse(params.get("since")), until=parse(params.get("until")))


@dataclass
class _Tally:
    """Orders per status and review totals of one group, added up from finer groups."""

    counts: Counter[str] = field(default_factory=Counter)
    reviews: int = 0
    rating_sum: int = 0

    def add(self, other: _Tally) -> None:
        self.counts.update(other.counts)
        self.reviews += other.reviews
        self.rating_sum += other.rating_sum

    def row(self, key: Any, label: str) -> StatRow:
        return StatRow(key=str(key), label=label, orders=sum(self.counts.values()),
                       served=sum(self.counts.get(s, 0) for s in SERVED_STATUSES),
                       cancelled=self.counts.get(OrderStatus.CANCELLED, 0),
                       rating=round(self.rating_sum / self.reviews, 2) if self.reviews else None,
                       reviews=self.reviews)


@dataclass
class Statistics:
    total: StatRow
    domains: list[StatRow]
    brands: list[StatRow]
    providers: list[StatRow]
    unions: list[StatRow]
    root: Union | None


def _tallies(orders: QuerySet[Order], reviews: QuerySet[Review], key: str, review_key: str) -> dict[Any, _Tally]:
    tallies: dict[Any, _Tally] = {}
    for row in orders.order_by().values(key, "status").annotate(n=Count("id")):
        tallies.setdefault(row[key], _Tally()).counts[row["status"]] += row["n"]
    for row in reviews.order_by().values(review_key).annotate(n=Count("id"), total=Sum("rating")):
        tally = tallies.setdefault(row[review_key], _Tally())
        tally.reviews, tally.rating_sum = row["n"], row["total"] or 0
    return tallies


def statistics(user: Any, period: Period, *, top_providers: int = 50) -> Statistics:
    """服务人次 and the rest per domain, brand, provider and union, for the orders in the user's scope
    placed in ``period``.

    Four GROUP BY queries whatever the number of rows: orders per (offering, status) and per (member's
    union, status), reviews per offering and per member's union; domains, brands, providers and
    unions are added up from those here. (Grouping the orders by a column of a joined table instead
    took seconds over a city's quarter of a million orders.) An order's union is its offering's, so
    "the offerings in scope" selects the same orders as the scope itself, through the index on
    (offering, status)."""
    offerings = Offering.objects.visible_to(user)
    orders = Order.objects.filter(offering__in=offerings.values("pk")).filter(period.bounds())
    reviews = Review.objects.filter(offering__in=offerings.values("pk")).filter(period.bounds("order__"))
    per_offering = _tallies(orders, reviews, "offering_id", "offering_id")
    meta = {o["pk"]: o for o in Offering.objects.filter(pk__in=list(per_offering))
            .values("pk", "domain", "provider_id")}
    brand_links: dict[int, list[int]] = {}
    for offering_id, brand_id in Offering.brands.through.objects.filter(
            offering_id__in=list(per_offering)).values_list("offering_id", "brand_id"):
        brand_links.setdefault(offering_id, []).append(brand_id)

    total = _Tally()
    by_domain: dict[str, _Tally] = {}
    by_provider: dict[int, _Tally] = {}
    by_brand: dict[int, _Tally] = {}
    for offering_id, tally in per_offering.items():
        total.add(tally)
        info = meta.get(offering_id)
        if info is None:
            continue
        by_domain.setdefault(info["domain"], _Tally()).add(tally)
        by_provider.setdefault(info["provider_id"], _Tally()).add(tally)
        for brand_id in brand_links.get(offering_id, ()):
            by_brand.setdefault(brand_id, _Tally()).add(tally)

    domains = [by_domain.get(value, _Tally()).row(value, label) for value, label in Domain.choices]
    brand_rows = {b.pk: b for b in Brand.objects.filter(pk__in=list(by_brand)).select_related("parent")}
    brands = sorted((by_brand[pk].row(b.uuid, f"{b.parent.name} · {b.name}" if b.parent_id else b.name)
                     for pk, b in brand_rows.items()), key=lambda r: (-r.served, -r.orders, r.label))
    ranked = sorted(by_provider.items(), key=lambda item: (-item[1].row("", "").served,
                                                           -sum(item[1].counts.values())))[:top_providers]
    names = {p.pk: p for p in Provider.objects.filter(pk__in=[pk for pk, _ in ranked])}
    providers = [tally.row(names[pk].uuid, names[pk].name) for pk, tally in ranked if pk in names]
    root, unions = _by_union(user, _tallies(orders, reviews, "member_union_id", "order__member_union_id"))
    return Statistics(total=total.row("all", "合计"), domains=domains, brands=brands, providers=providers,
                      unions=unions, root=root)


def _by_union(user: Any, per_union: dict[int, _Tally]) -> tuple[Union | None, list[StatRow]]:
    """Per child union of the user's top union (or per top union when there are several), by the
    union the member belonged to when ordering, rolled up along the union paths."""
    scope = scope_of(user)
    tops = [] if scope.is_superuser else scope.paths()
    root = Union.objects.filter(path=tops[0]).first() if len(tops) == 1 else None
    if root is not None:
        groups = list(root.children.order_by("-is_active", "name"))
    elif scope.is_superuser:
        groups = list(Union.objects.filter(parent__isnull=True).order_by("name"))
    else:
        groups = list(Union.objects.filter(path__in=tops).order_by("path"))
    paths = dict(Union.objects.filter(pk__in=list(per_union)).values_list("pk", "path"))
    per_group: dict[int, _Tally] = {}
    own = _Tally()
    for union_id, tally in per_union.items():
        path = paths.get(union_id, "")
        if root is not None and path == root.path:
            own.add(tally)
            continue
        match = next((g.pk for g in groups if path.startswith(g.path)), None)
        if match is not None:
            per_group.setdefault(match, _Tally()).add(tally)
    rows = [per_group.get(g.pk, _Tally()).row(g.uuid, g.name) for g in groups]
    if root is not None and own.counts:
        rows.insert(0, own.row(root.uuid, f"{root.name}（本级）"))
    return root, rows
