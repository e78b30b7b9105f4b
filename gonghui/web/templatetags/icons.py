"""``{% icon "ticket" %}``: one icon of the shipped set (static gonghui/icons.svg, Tabler Icons, MIT).

A name that is not in the set (a module that still registers a character) is shown as that text, so a
tile never renders empty.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()
SPRITE = Path(__file__).resolve().parent.parent / "static" / "gonghui" / "icons.svg"


@cache
def names() -> frozenset[str]:
    return frozenset(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE.read_text()))


@register.simple_tag
def icon(name: str, css: str = "ico") -> str:
    if name not in names():
        return format_html('<span class="{}">{}</span>', css, name)
    return format_html('<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
                       css, static("gonghui/icons.svg"), name)
