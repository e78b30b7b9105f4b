"""惠及人次: coupons issued and redeemed per union subtree, counted where the members are.

A union's figures cover the members of its whole subtree, whichever union ran the campaign (a
province's 清凉券 redeemed by a district's rider counts for the district). The rows are the
children of the chosen union (or the caller's top unions); all of them come from one aggregate
query with one filtered count per row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.scope import DATA_ROLES, scope_of
from gonghui.unions.models import Union

from ..models import Coupon, CouponStatus


def coupons_in_scope(user: Any) -> QuerySet[Coupon]:
    """Coupons held by members of the caller's branches (DATA roles)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Coupon.objects.all()
    if not scope.paths(DATA_ROLES):
        return Coupon.objects.none()
    return Coupon.objects.filter(scope.q("member__union__path", DATA_ROLES))


def row_unions(user: Any, union: Union | None) -> list[Union]:
    if union is not None:
        return list(union.children.filter(is_active=True).order_by("name"))
    scope = scope_of(user)
    if scope.is_superuser:
        return list(Union.objects.filter(parent__isnull=True).order_by("name"))
    return list(Union.objects.filter(path__in=scope.paths(DATA_ROLES)).order_by("path"))


def people_served(user: Any, union: Union | None = None) -> dict[str, Any]:
    """Per row union: coupons issued, redeemed (惠及人次), distinct members served, discount given (分).

    Preconditions: ``union`` (if given) came through a gate for ``user``.
    """
    base = coupons_in_scope(user)
    if union is not None:
        base = base.filter(member__union__path__startswith=union.path)
    rows = row_unions(user, union)
    redeemed = Q(status=CouponStatus.REDEEMED)
    aggregates: dict[str, Any] = {
        "issued": Count("id"), "redeemed": Count("id", filter=redeemed),
        "people": Count("member", distinct=True, filter=redeemed), "cents": Sum("discount_cents", filter=redeemed),
    }
    for i, row in enumerate(rows):
        inside = Q(member__union__path__startswith=row.path)
        aggregates[f"i{i}"] = Count("id", filter=inside)
        aggregates[f"r{i}"] = Count("id", filter=inside & redeemed)
        aggregates[f"p{i}"] = Count("member", distinct=True, filter=inside & redeemed)
        aggregates[f"c{i}"] = Sum("discount_cents", filter=inside & redeemed)
    found = base.aggregate(**aggregates)
    table = [{"union": row, "issued": found[f"i{i}"], "redeemed": found[f"r{i}"], "people": found[f"p{i}"],
              "cents": found[f"c{i}"] or 0} for i, row in enumerate(rows)]
    own = None
    if union is not None:
        direct = base.filter(member__union=union).aggregate(
            issued=Count("id"), redeemed=Count("id", filter=redeemed),
            people=Count("member", distinct=True, filter=redeemed), cents=Sum("discount_cents", filter=redeemed))
        if direct["issued"]:
            own = {**direct, "cents": direct["cents"] or 0}
    return {"rows": table, "own": own,
            "total": {"issued": found["issued"], "redeemed": found["redeemed"], "people": found["people"],
                      "cents": found["cents"] or 0}}
