"""Read queries over accounts and staff assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gonghui.core.scope import WRITE_ROLES

from .models import StaffAssignment, User

if TYPE_CHECKING:
    from gonghui.unions.models import Union


def nearest_writers(union: Union) -> list[User]:
    """The active writing staff of ``union`` itself, else of the nearest union above it that has some:
    who should act next on something that arrived there (a ticket, a transfer, a rights request)."""
    rows = list(StaffAssignment.objects.filter(union_id__in=[*union.ancestor_ids, union.pk],
                                               role__in=list(WRITE_ROLES), user__is_active=True)
                .select_related("user", "union"))
    if not rows:
        return []
    deepest = max(row.union.depth for row in rows)
    return [row.user for row in rows if row.union.depth == deepest]
