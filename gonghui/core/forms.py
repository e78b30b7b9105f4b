"""Forms and domain errors: a service's domain error shown on a Django form, and the shared fields."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.errors import DomainError


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Put per-field messages from ``exc.detail`` on their fields, the main message on the form.

    The error's HTTP status stays on the form as ``error_status_code`` (``core.actions.form_status``)."""
    form.error_status_code = exc.status  # type: ignore[attr-defined]
    placed = False
    if isinstance(exc.detail, dict):
        for field, message in exc.detail.items():
            if field in form.fields:
                form.add_error(field, str(message))
                placed = True
    if not placed:
        form.add_error(None, exc.message)


class ReasonField(forms.CharField):
    """A required reason that goes into an audit row (查看原因, 导出原因): white space folded to single
    spaces; empty — or only white space — is the ``required`` message."""

    def __init__(self, *, label: str, required_message: str, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=max_length, error_messages={"required": required_message},
                         **kwargs)

    def clean(self, value: Any) -> str:
        folded = " ".join(super().clean(value).split())
        if not folded:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return folded
