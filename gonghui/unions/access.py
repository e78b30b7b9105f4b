"""Access gates for the unions app. Views, API, tasks and exports get objects only through these.

Changing the tree's shape (create, rename, move, deactivate a union; brands; grids) is for
administrators; employers, visits and problems may be changed by officers too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from gonghui.core.scope import WRITE_ROLES, Role, gate

from .models import Brand, Employer, Grid, Problem, Union

STRUCTURE_ROLES = frozenset({Role.ADMIN})
T = TypeVar("T")


def access_union(user: Any, key: Any, *, write: bool = False) -> Union:
    return gate(user, Union.objects.all(), write=write, write_roles=STRUCTURE_ROLES, uuid=key)


def access_union_for_work(user: Any, key: Any) -> Union:
    """A union where the user may do day-to-day work (add employers, record visits)."""
    return gate(user, Union.objects.all(), write=True, write_roles=WRITE_ROLES, uuid=key)


def under_work_union(user: Any, create: Callable[..., T]) -> Callable[[Mapping[str, Any]], T]:
    """The ``run`` of a console form that creates something under a union (a survey, an employer, an
    enrollment drive, an activity): the form's ``union`` field is a union's key, taken through
    ``access_union_for_work`` (404 outside the caller's branch, 403 for a read-only role there), and
    ``create(actor=user, union=union, **the_other_fields)`` makes the thing. Both run inside
    ``core.actions.submit``, so their errors land on the form exactly as if written in the view.
    """
    def run(data: Mapping[str, Any]) -> T:
        fields = dict(data)
        union = access_union_for_work(user, fields.pop("union"))
        return create(actor=user, union=union, **fields)

    return run


def access_employer(user: Any, key: Any, *, write: bool = False) -> Employer:
    qs = Employer.objects.select_related("union", "grid", "liaison")
    return gate(user, qs, write=write, uuid=key)


def access_problem(user: Any, key: Any, *, write: bool = False) -> Problem:
    qs = Problem.objects.select_related("employer__union")
    return gate(user, qs, write=write, uuid=key)


def access_grid(user: Any, key: Any, *, write: bool = False) -> Grid:
    return gate(user, Grid.objects.select_related("union"), write=write, write_roles=STRUCTURE_ROLES, uuid=key)


def access_brand(user: Any, key: Any, *, write: bool = False) -> Brand:
    return gate(user, Brand.objects.select_related("union"), write=write, write_roles=STRUCTURE_ROLES, uuid=key)
