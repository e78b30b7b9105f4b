"""``{% fields form "name phone address" %}``: those fields of the form, in that order, each rendered by
``web/_field.html`` exactly as ``{% include "web/_field.html" with field=form.name %}`` renders one.

A name the form does not have is an error (a template typo must not hide a field silently)."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def fields(context: template.Context, form: forms.BaseForm, names: str) -> SafeString:
    field_template = context.template.engine.get_template("web/_field.html")
    parts = []
    for name in names.split():
        with context.push(field=form[name]):
            parts.append(field_template.render(context))
    return mark_safe("\n".join(parts))  # noqa: S308 - each part is a rendered, autoescaped template
