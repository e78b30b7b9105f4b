"""Access gates for accounts objects (see core/scope.py)."""

from __future__ import annotations

from typing import Any

from gonghui.core.scope import Role, gate

from .models import StaffAssignment


def access_assignment(user: Any, key: Any, *, write: bool = False) -> StaffAssignment:
    """A staff assignment at a union in the user's admin scope (404 otherwise)."""
    qs = StaffAssignment.objects.select_related("user", "union")
    return gate(user, qs, write=write, write_roles=frozenset({Role.ADMIN}), uuid=key)
