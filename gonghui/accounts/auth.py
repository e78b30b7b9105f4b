"""Authentication: phone + password, guarded by django-axes on every path."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from gonghui.lib import crypto
from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.lib.text import compact

from .models import User


class PhoneBackend(BaseBackend):
    def authenticate(self, request: HttpRequest | None, phone: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if not phone or not password:
            return None
        user = User.objects.by_phone(phone).first()
        if user is None:
            make_password(password)  # spend the same time as a real check: no user enumeration by timing
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The key axes counts failures under: the phone's blind index, so no plaintext phone is stored."""
    raw = (credentials or {}).get("phone")
    if raw is None:
        raw = getattr(request, "POST", {}).get("phone", "")
    try:
        normalized = normalize_phone(raw)
    except InvalidPhone:
        normalized = compact(raw)[:40]
    return crypto.blind_index("phone", normalized)[:32]
