"""Text filters for templates: ``{% load text %}{{ course.title|book_title }}``."""

from django import template

from gonghui.lib.text import book_title as _book_title

register = template.Library()


@register.filter
def book_title(value: object) -> str:
    """The title in 《》, a title inside it in 〈〉 (gonghui.lib.text.book_title); autoescaped as usual."""
    return _book_title(value)
