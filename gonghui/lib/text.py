"""Normalizing what people type: full-width characters, stray spaces, separators."""

from __future__ import annotations

import unicodedata

_SPACES = {" ", "\t", "\n", "\r", "\u00a0", "\u3000", "-", "－", "—"}


def compact(value: object) -> str:
    """NFKC-fold (full-width digits and letters become ASCII) and drop spaces and dashes."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text if ch not in _SPACES)


def is_uuid(value: object) -> bool:
    """Whether ``value`` reads as a UUID: the test before filtering a UUID column by user input."""
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
