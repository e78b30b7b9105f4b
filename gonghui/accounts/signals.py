"""Audit rows for logins, failed logins and lockouts, whatever path they came through."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from gonghui.core import audit
from gonghui.core.models import AuditResult
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import InvalidPhone, normalize_phone


def masked_credentials(credentials: dict[str, Any] | None) -> str:
    raw = (credentials or {}).get("phone") or ""
    try:
        return mask_phone(normalize_phone(raw))
    except InvalidPhone:
        return "（无效号码）"


def home_union(user: Any) -> Any:
    """The union an account's login events are filed under (its first staff grant), so that the
    auditors of that branch see them."""
    if user is None or not getattr(user, "pk", None):
        return None
    grants = user.scope.grants
    if not grants:
        return None
    from gonghui.unions.models import Union

    return Union.objects.filter(pk=grants[0].union_id).first()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if getattr(request, "login_audited", False):
        return
    audit.record("auth.login", actor=user, request=request, union=home_union(user), detail={"via": "web"})


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    from .models import User

    target = User.objects.by_phone((credentials or {}).get("phone") or "").first()
    audit.record("auth.login", actor=target, request=request, union=home_union(target),
                 result=AuditResult.FAILURE, label=masked_credentials(credentials),
                 detail={"via": getattr(request, "login_via", "web") if request else "unknown"})


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    from .models import User

    credentials = getattr(request, "axes_credentials", None) or {}
    target = User.objects.by_phone(credentials.get("phone") or "").first()
    audit.record("auth.lockout", actor=target, request=request, union=home_union(target),
                 result=AuditResult.DENIED, label=masked_credentials(credentials),
                 detail={"minutes": 15})
