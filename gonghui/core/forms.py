"""Showing a service's domain error on a Django form."""

from __future__ import annotations

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
