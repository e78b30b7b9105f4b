"""The one scope mechanism: who may see and change which branch of the union tree.

A staff user holds assignments (union, role). A union is identified in the tree by its
materialized path, so "inside the subtrees I am assigned to" is a prefix test on that path.

* Branch-owned QuerySets inherit ``BranchQuerySet`` and get ``visible_to(user)``.
* Each app's ``access.py`` gates single objects through ``gate()``: 404 when the object is missing
  *or* outside the caller's scope (indistinguishable on purpose), 403 when the caller may see it
  but the role may not write.

The grants come from ``user.scope`` (accounts.User); an anonymous user has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .errors import Forbidden, NotFound


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    OFFICER = "officer", "工作人员"
    VIEWER = "viewer", "只读"
    AUDITOR = "auditor", "审计员"


# Who sees business data (members, employers, tickets …), who may change it, who reads the audit log.
DATA_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.VIEWER})
WRITE_ROLES = frozenset({Role.ADMIN, Role.OFFICER})
AUDIT_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
ALL_ROLES = frozenset(Role)
_STRENGTH = {Role.ADMIN: 4, Role.OFFICER: 3, Role.VIEWER: 2, Role.AUDITOR: 1}


@dataclass(frozen=True)
class Grant:
    union_id: int
    path: str
    role: Role
    union_name: str = ""
    union_uuid: Any = None


@dataclass(frozen=True)
class Scope:
    """The unions a user may act in. Plain data, computed once per request."""

    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False
    union_root_path: str = ""  # for superusers: everything
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return self.is_superuser or bool(self.grants)

    def paths(self, roles: Iterable[Role] = ALL_ROLES) -> list[str]:
        """The top-most assigned paths for these roles (a grant inside another one is redundant)."""
        wanted = sorted({g.path for g in self.grants if g.role in roles})
        tops: list[str] = []
        for path in wanted:
            if not any(path.startswith(top) for top in tops):
                tops.append(path)
        return tops

    def role_at(self, path: str) -> Role | None:
        """The strongest role the user holds over the union at ``path`` (inherited from above)."""
        if self.is_superuser:
            return Role.ADMIN
        best: Role | None = None
        for grant in self.grants:
            if path.startswith(grant.path) and (best is None or _STRENGTH[grant.role] > _STRENGTH[best]):
                best = grant.role
        return best

    def can(self, path: str, roles: Iterable[Role]) -> bool:
        if self.is_superuser:
            return True
        return any(path.startswith(g.path) and g.role in roles for g in self.grants)

    def q(self, path_field: str, roles: Iterable[Role] = DATA_ROLES) -> Q:
        """A filter for rows whose union path lies in one of the granted subtrees."""
        if self.is_superuser:
            return Q()
        paths = self.paths(roles)
        if not paths:
            return Q(pk__in=[])
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition


EMPTY_SCOPE = Scope()


def scope_of(user: Any) -> Scope:
    """The caller's scope; anonymous users and plain members have an empty one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    return getattr(user, "scope", EMPTY_SCOPE)


class BranchQuerySet(models.QuerySet):
    """Base QuerySet for every model that belongs to a branch of the union tree.

    Subclasses set ``branch_path`` to the lookup of the owning union's path ("union__path", or
    "path" on Union itself) and ``visible_roles`` to the roles that may read the rows.
    """

    branch_path: str = "union__path"
    visible_roles: frozenset[Role] = DATA_ROLES

    def visible_to(self, user: Any) -> Self:
        """Rows the user may see. Every list, search, export and gate starts here."""
        scope = scope_of(user)
        if scope.is_superuser:
            return self.all()
        if not scope.grants:
            return self.none()
        return self.filter(scope.q(self.branch_path, self.visible_roles))


M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def gate(user: Any, queryset: models.QuerySet[M], *, write: bool = False,
         write_roles: frozenset[Role] = WRITE_ROLES, **lookup: Any) -> M:
    """Fetch one branch-owned object for ``user``.

    Preconditions: ``queryset`` is a BranchQuerySet whose model has a ``branch_path_value``
    property (the owning union's path). Raises NotFound when the object does not exist or is
    outside the user's scope, Forbidden when ``write`` and the user's role there cannot write.
    """
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None
    except queryset.model.MultipleObjectsReturned:  # pragma: no cover - lookups are unique keys
        raise NotFound() from None
    if write and not scope_of(user).can(obj.branch_path_value, write_roles):
        raise Forbidden()
    return obj


def owned(queryset: models.QuerySet[M], *, owner: Any, via: str = "member", message: str | None = None,
          **lookup: Any) -> M:
    """Fetch one object that belongs to ``owner`` — the member, provider or partner an account acts
    as — through the field ``via``: the owner-side counterpart of ``gate()``.

    Raises NotFound (with ``message``) when ``owner`` is None, the object does not exist, belongs to
    someone else, or the key is malformed: the four are indistinguishable on purpose. Staff scope
    plays no part: an officer reads a member's coupon through ``gate()``, not through this.
    """
    if owner is None:
        raise NotFound(message)
    try:
        obj = queryset.filter(**{via: owner}, **lookup).first()
    except (ValueError, TypeError, ValidationError):
        obj = None
    if obj is None:
        raise NotFound(message)
    return obj


def owner_or_staff(user: Any, key: Any, *owner_gates: Callable[[Any, Any], M], staff: Callable[..., M],
                   write: bool = False) -> M:
    """The object ``key`` through the first owner-side gate that finds it (``owner_gates``, each
    ``gate(user, key)`` built on ``owned()``: the caller's own as a member, a provider …), else
    through the staff gate ``staff(user, key, write=write)``.

    For the actions several kinds of caller may perform (cancel an order, manage an offering): an
    account that is both an owner and staff reaches its own rows as owner and the rest of its branch
    as staff. An owner-side 404 falls through; the staff gate's 404 or 403 is what stands.
    """
    for owner_gate in owner_gates:
        try:
            return owner_gate(user, key)
        except NotFound:
            pass
    return staff(user, key, write=write)


def staff_or_owner(user: Any, key: Any, *, staff: Callable[[Any, Any], T], owner: Callable[[Any, Any], T]) -> T:
    """The object ``key`` through the staff gate ``staff(user, key)`` when the caller is staff and it
    finds it, else through the owner-side gate ``owner(user, key)`` (the worker's own ticket, a member's
    photo or lesson): the reverse order of ``owner_or_staff``, for what staff and owners only read.

    A staff 404 (outside the branch, or no such key) falls through to the owner; callers who are not
    staff go straight there. The owner gate's answer stands, whatever it is (404, or "not a member").
    """
    if scope_of(user).is_staff:
        try:
            return staff(user, key)
        except NotFound:
            pass
    return owner(user, key)
