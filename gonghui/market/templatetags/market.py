"""Small display helpers of the market templates."""

from __future__ import annotations

from typing import Any

from django import template

from ..views import STATUS_BADGES

register = template.Library()


@register.filter
def stars(value: Any) -> str:
    """4 → ★★★★☆; 4.4 → ★★★★☆ (rounded)."""
    try:
        n = max(0, min(5, round(float(value))))
    except (TypeError, ValueError):
        return ""
    return "★" * n + "☆" * (5 - n)


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
