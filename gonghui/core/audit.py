"""Writing audit rows. Call ``record`` for logins, lockouts, role changes, unmasked views, exports
and every state transition. Never put a plaintext ID number or phone into ``detail``.

Where the action came from (IP address, user agent, channel) is taken from the audit context
(``gonghui.core.context``), which the middleware sets per request and tasks and commands set for
themselves. Services therefore never pass a request; only code that sits on the HTTP boundary and
has no context of its own (login signal handlers, the lockout handler) may pass ``request``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest

from . import context
from .models import AuditLog, AuditResult
from .scope import scope_of

logger = logging.getLogger("gonghui.audit")


def _union_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "path") and hasattr(obj, "parent_id"):
        return obj  # a Union
    return getattr(obj, "union", None)


@dataclass(frozen=True)
class UnionSnapshot:
    """Enough of a union for ``record`` (core does not import the unions app)."""

    pk: int
    path: str
    name: str


def home_union(actor: Any) -> UnionSnapshot | None:
    """Where a staff member's action that concerns no one union is filed: their top-most grant (as their
    logins are), so the admins and auditors above them see it. None for workers and superusers."""
    scope = scope_of(actor)
    tops = scope.paths()
    for grant in scope.grants:
        if tops and grant.path == tops[0]:
            return UnionSnapshot(pk=grant.union_id, path=grant.path, name=grant.union_name)
    return None


def record(action: str, *, actor: Any = None, request: HttpRequest | None = None, obj: models.Model | None = None,
           union: Any = None, result: str = AuditResult.SUCCESS, label: str = "",
           detail: dict[str, Any] | None = None, anonymous: bool = False, subject: str = "") -> AuditLog:
    """Append one audit row. ``union`` defaults to the object's union (or the object, if a union).

    ``subject`` names what the action concerned when there is no single object (an export: "会员名册
    （脱敏，12 人）"); it fills the row's 对象 column.

    ``anonymous`` leaves out where the action came from (an anonymous appeal keeps no address).
    """
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    union = union if union is not None else _union_of(obj)
    role = ""
    if actor is not None and union is not None:
        found = scope_of(actor).role_at(union.path)
        role = found.value if found else ""
    elif actor is not None and getattr(actor, "is_superuser", False):
        role = "superuser"
    where = context.from_request(request) if request is not None else context.current()
    row = AuditLog.objects.create(
        user=actor if actor is not None and getattr(actor, "pk", None) else None,
        user_label=label or (getattr(actor, "display_label", "") if actor is not None else ""),
        role=role,
        union_id_snapshot=getattr(union, "pk", None),
        union_path=getattr(union, "path", "") or "",
        union_name=getattr(union, "name", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_key=str(getattr(obj, "uuid", None) or getattr(obj, "pk", "") or "") if obj is not None else "",
        object_label=(str(obj) if obj is not None else subject)[:200],
        result=result,
        ip=None if anonymous else where.ip,
        user_agent="" if anonymous else where.user_agent,
        channel=where.channel,
        detail=detail or {},
    )
    logger.info("audit %s result=%s user=%s object=%s", action, result, row.user_id, row.object_key)
    return row
