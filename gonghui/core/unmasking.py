"""The one unmasking policy: who may see a person's identifiers in full, for every module.

Identifiers are masked on the server everywhere (DESIGN.md §11). Seeing one in full is a separate
right, decided here and nowhere else, by the *kind* of unmasking:

* ``MEMBER`` — a member's full ID number or phone in the registry (查看完整信息): administrators of
  the member's union or of a union above it, with a reason.
* ``EXPORT`` — an Excel export with full names, ID numbers and phones (members roster, activity
  participants): administrators, with a reason; the rows are limited to the unions they administer.
* ``CONTACT`` — the phone of whoever raised a 12351 ticket, to call them back: the staff who may
  work the ticket (admin or officer) *at* a unit that handles it. Supervising levels above and
  read-only roles do not get it; nobody gets an anonymous suggestion's author.

Read-only viewers and auditors never unmask. A member sees their own identifiers (the data
subject, PIPL art. 45) — that is not staff unmasking and is audited as ``member.self_reveal``.

Every unmasking writes an audit row, and so does every refused attempt: ``require_unmask`` writes the
``denied`` row and raises Forbidden. docs/security.md ("Unmasking") lists the same table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from . import audit
from .errors import Forbidden
from .models import AuditResult
from .scope import WRITE_ROLES, Role, scope_of


class Unmask(models.TextChoices):
    MEMBER = "member", "会员完整身份证号码、手机号码"
    EXPORT = "export", "导出完整信息"
    CONTACT = "contact", "诉求人联系电话"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    inherited: bool  # True: a grant at the union or above it; False: a grant at the union itself
    reason_required: bool
    refusal: str


POLICY: dict[Unmask, Rule] = {
    Unmask.MEMBER: Rule(frozenset({Role.ADMIN}), inherited=True, reason_required=True,
                        refusal="只有管理员可以查看完整信息"),
    Unmask.EXPORT: Rule(frozenset({Role.ADMIN}), inherited=True, reason_required=True,
                        refusal="只有管理员可以导出完整的姓名、身份证号码和手机号码"),
    Unmask.CONTACT: Rule(frozenset(WRITE_ROLES), inherited=False, reason_required=False,
                         refusal="只有承办单位的工作人员可以查看诉求人的联系方式"),
}


def unmask_roles(kind: Unmask) -> frozenset[Role]:
    """The roles that may unmask ``kind`` (for narrowing an export to the unions they hold)."""
    return POLICY[kind].roles


def may_unmask(user: Any, union: Any, kind: Unmask) -> bool:
    """Whether ``user`` may see identifiers of ``kind`` in full at ``union``.

    ``union`` is one union, several (any of them will do: the units that handled a ticket), or None
    for "anywhere" (an export whose rows are then narrowed to the unions the role is held at).
    Superusers may; anonymous users and workers never do.
    """
    rule = POLICY[kind]
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    if union is None:
        return bool(scope.paths(rule.roles))
    unions = list(union) if isinstance(union, Iterable) and not hasattr(union, "path") else [union]
    for target in unions:
        if rule.inherited:
            if scope.role_at(target.path) in rule.roles:
                return True
        elif any(g.union_id == target.pk and g.role in rule.roles for g in scope.grants):
            return True
    return False


def require_unmask(user: Any, union: Any, kind: Unmask, *, action: str, obj: models.Model | None = None,
                   audit_union: Any = None, detail: dict[str, Any] | None = None,
                   message: str | None = None) -> None:
    """Pass when ``may_unmask``; else write the refused attempt's audit row (result ``denied``, under
    ``action``) and raise Forbidden. ``audit_union`` files the row (default: ``union`` if it is one
    union, else the object's union). Never put the identifier itself into ``detail``."""
    if may_unmask(user, union, kind):
        return
    if audit_union is None and union is not None and hasattr(union, "path"):
        audit_union = union
    audit.record(action, actor=user, obj=obj, union=audit_union, result=AuditResult.DENIED,
                 detail={"unmask": kind.value, **(detail or {})})
    raise Forbidden(message or POLICY[kind].refusal)
