"""Writing audit rows. Call ``record`` for logins, lockouts, role changes, unmasked views, exports
and every state transition. Never put a plaintext ID number or phone into ``detail``."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditLog, AuditResult
from .scope import scope_of

logger = logging.getLogger("gonghui.audit")


def _ip_or_none(value: str | None) -> str | None:
    # The column is an inet on PostgreSQL: a malformed address ("unknown", "1.2.3.4:5678" from a
    # misconfigured proxy) would make the audit insert, and so the audited action, fail.
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address, trusting exactly NUM_PROXIES reverse proxies."""
    if request is None:
        return None
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            found = _ip_or_none(forwarded[-settings.NUM_PROXIES])
            if found:
                return found
    return _ip_or_none(request.META.get("REMOTE_ADDR"))


def _union_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "path") and hasattr(obj, "parent_id"):
        return obj  # a Union
    return getattr(obj, "union", None)


def record(action: str, *, actor: Any = None, request: HttpRequest | None = None, obj: models.Model | None = None,
           union: Any = None, result: str = AuditResult.SUCCESS, label: str = "",
           detail: dict[str, Any] | None = None) -> AuditLog:
    """Append one audit row. ``union`` defaults to the object's union (or the object, if a union)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    union = union if union is not None else _union_of(obj)
    role = ""
    if actor is not None and union is not None:
        found = scope_of(actor).role_at(union.path)
        role = found.value if found else ""
    elif actor is not None and getattr(actor, "is_superuser", False):
        role = "superuser"
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
        object_label=str(obj)[:200] if obj is not None else "",
        result=result,
        ip=client_ip(request),
        detail=detail or {},
    )
    logger.info("audit %s result=%s user=%s object=%s", action, result, row.user_id, row.object_key)
    return row
