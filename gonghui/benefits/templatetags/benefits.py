"""Template filters of the benefits pages: money in 分 shown in 元, discounts in 折."""

from __future__ import annotations

from django import template

from ..models import discount_label
from ..models import yuan as _yuan

register = template.Library()


@register.filter
def yuan(cents: int | None) -> str:
    """2000 → "20", 1250 → "12.50"."""
    return _yuan(cents)


@register.filter
def zhe(pay_percent: int | None) -> str:
    """85 → "8.5折"."""
    return discount_label(pay_percent)
