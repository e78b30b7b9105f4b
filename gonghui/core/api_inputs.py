"""What an endpoint reads from its request besides its schema: an uploaded file within its limit, and a
row the body names by its UUID.

Both refuse with ``400`` and a Chinese message the way every endpoint does: ``file_too_large`` for an
upload past the endpoint's limit (checked before anything is read), ``invalid`` on the body's field for a
reference that matches no row.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.db import models
from ninja.files import UploadedFile

from .errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def upload_content(file: UploadedFile, *, limit: int, message: str) -> bytes:
    """The file's bytes. Raises ValidationFailed(message, code="file_too_large") when it is larger than
    ``limit`` bytes (the size the upload declares, checked before reading)."""
    if file.size > limit:
        raise ValidationFailed(message, code="file_too_large")
    return file.read()


def referenced(queryset: models.QuerySet[M], key: UUID | None, *, field: str, message: str,
               short: str | None = None) -> M | None:
    """The row of ``queryset`` whose ``uuid`` the body gave in ``field``: None when it gave none.

    Raises ValidationFailed(message, detail={field: short or message}) when no row matches. Not a gate:
    ``queryset`` says which rows may be named (the active unions, the active accounts …); a row in the
    caller's scope goes through the app's ``access_*`` instead.
    """
    if key is None:
        return None
    found: Any = queryset.filter(uuid=key).first()
    if found is None:
        raise ValidationFailed(message, detail={field: short or message})
    return found
