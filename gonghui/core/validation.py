"""Checking what a service is given, with Chinese messages: the one text cleaner.

Services clean their free-text inputs with ``clean_text`` so that every module treats what people
type the same way: control and zero-width characters dropped, white space folded (a single-line
field) or lines kept (``multiline``), a required field refused when empty, a length limit refused
with the field's name. The error carries ``detail={field: message}`` so a form can show it on the
field and the API returns it in ``detail``.
"""

from __future__ import annotations

from gonghui.lib.text import clean_block, clean_line

from .errors import ValidationFailed


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True,
               multiline: bool = False, too_long: str | None = None) -> str:
    """``value`` cleaned; ValidationFailed when required and empty, or longer than ``max_length``.

    ``too_long`` is the per-field message for an over-long value (default: "不能超过N个字").
    """
    text = clean_block(value) if multiline else clean_line(value)
    if required and not text:
        raise ValidationFailed(f"请填写{label}", detail={field: f"请填写{label}"})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字",
                               detail={field: too_long or f"不能超过{max_length}个字"})
    return text
