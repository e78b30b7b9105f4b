"""Read-side queries of the unions app, shared by pages, API and exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.core.scope import ALL_ROLES, DATA_ROLES, Role, scope_of
from gonghui.lib.text import is_uuid

from .models import Employer, Industry, Union


def child_counts(unions: list[Union]) -> dict[int, tuple[int, int]]:
    """{union id: (number of children, employers in the subtree)} in two queries, whatever the count."""
    if not unions:
        return {}
    ids = [u.pk for u in unions]
    kids = dict(Union.objects.filter(parent_id__in=ids).values_list("parent_id").annotate(n=Count("id")))
    condition = Q()
    for union in unions:
        condition |= Q(union__path__startswith=union.path)
    by_path = dict(Employer.objects.filter(condition).values_list("union__path").annotate(n=Count("id")))
    result: dict[int, tuple[int, int]] = {}
    for union in unions:
        employers = sum(n for path, n in by_path.items() if path.startswith(union.path))
        result[union.pk] = (kids.get(union.pk, 0), employers)
    return result


def employer_filter(user: Any, params: Mapping[str, str]) -> tuple[QuerySet[Employer], dict[str, str]]:
    """Employers visible to ``user`` narrowed by the list's query parameters (never widened)."""
    qs = Employer.objects.visible_to(user)
    filters = {k: (params.get(k) or "").strip()[:60] for k in ("q", "union", "industry", "size", "established")}
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
    if filters["union"]:
        union = None
        if is_uuid(filters["union"]):
            union = Union.objects.visible_to(user).filter(uuid=filters["union"]).first()
        qs = qs.filter(union__path__startswith=union.path) if union else qs.none()
    if filters["industry"] in Industry.values:
        qs = qs.filter(industry=filters["industry"])
    if filters["size"]:
        qs = qs.filter(size=filters["size"])
    if filters["established"] in ("1", "0"):
        qs = qs.filter(union_established=filters["established"] == "1")
    return qs.order_by("name", "id"), filters


def liaison_choices(union: Union) -> list[Any]:
    """Staff who may serve as liaison for employers of ``union``: data roles at it or above."""
    from django.contrib.auth import get_user_model

    ancestors = [*union.ancestor_ids, union.pk]
    return list(get_user_model().objects.filter(
        assignments__union_id__in=ancestors, assignments__role__in=list(DATA_ROLES)).distinct().order_by("name"))


def statistics_union(user: Any, key: Any = None, *, roles: frozenset[Role] = ALL_ROLES) -> Union | None:
    """The union a statistics page is for: the requested one (by UUID) if ``user`` may see it, else
    the user's top union held with one of ``roles`` (the root for superusers). None when neither."""
    visible = Union.objects.visible_to(user)
    if key:
        return visible.filter(uuid=key).first() if is_uuid(str(key)) else None
    scope = scope_of(user)
    if scope.is_superuser:
        return Union.objects.filter(parent__isnull=True).order_by("path").first()
    tops = scope.paths(roles)
    return visible.filter(path__in=tops).order_by("depth", "path").first() if tops else None
