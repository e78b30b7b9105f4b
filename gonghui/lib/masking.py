"""Masking personal identifiers for display; always done on the server."""

from __future__ import annotations


def mask_id_number(number: str | None) -> str:
    """110***********123X: region prefix and the last four characters stay."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """138****1234."""
    if not phone:
        return ""
    if len(phone) < 8:  # with 7 characters, 3 + 4 kept would show the whole value
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str:
    """张*, 欧阳** : the family name (first character) stays."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
