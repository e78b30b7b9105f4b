"""``{% photo %}``: a stored photo as a lazy, responsive ``<img>``, or a coloured placeholder."""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..photos import Photo

register = template.Library()

TONES = 8  # .ph-t0 … .ph-t7 in gonghui.css
PLACEHOLDER_ICON = (
    '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false"><rect x="6" y="10" width="36" height="28" rx="4" '
    'fill="none" stroke="currentColor" stroke-width="3"/><circle cx="17" cy="20" r="4" fill="currentColor"/>'
    '<path d="M9 35l10-10 7 7 5-5 8 8" fill="none" stroke="currentColor" stroke-width="3" '
    'stroke-linejoin="round"/></svg>')


def tone_class(tone: Any) -> str:
    """A stable placeholder colour for a domain/kind/category value."""
    return f"ph-t{zlib.crc32(str(tone or '').encode()) % TONES}"


@register.simple_tag
def photo(value: Photo | None, alt: str = "", sizes: str = "100vw", tone: Any = "", shape: str = "wide",
          eager: bool = False) -> str:
    """The photo in a frame of fixed ratio (``shape``: wide 3:2, square 1:1, banner 16:7)."""
    frame = f"ph ph-{shape}"
    if not isinstance(value, Photo):
        return format_html('<span class="{} ph-none {}" role="img" aria-label="{}">{}</span>', frame,
                           tone_class(tone), f"{alt}（暂无图片）" if alt else "暂无图片",
                           mark_safe(PLACEHOLDER_ICON))  # noqa: S308 - a constant
    widest = value.widths[-1]
    return format_html(
        '<span class="{}"><img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async"></span>',
        frame, value.src, value.srcset, sizes, widest, value.height_at(widest), alt,
        "eager" if eager else "lazy")
