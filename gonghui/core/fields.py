"""The project's own fields: encrypted text and the HMAC blind index that makes it findable by exact value,
and ``user_ref``, the one spelling of a link to the account that did something."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models

from gonghui.lib import crypto


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python code sees the plaintext.

    Only exact lookups through a BlindIndexField are possible; the column itself can't be searched.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class BlindIndexField(models.CharField):
    """HMAC of ``source``'s normalized value, recomputed on every save.

    ``normalizer`` turns what was stored into the canonical form (the same one used when looking
    up); ``purpose`` separates indexes of different kinds of value.
    """

    def __init__(self, *args: Any, source: str = "", purpose: str = "",
                 normalizer: Callable[[str], str] | None = None, **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose or source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def compute(self, raw: str | None) -> str | None:
        if not raw:
            return None
        normalized = self.normalizer(raw) if self.normalizer else raw
        return crypto.blind_index(self.purpose, normalized)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def lookup_index(model: type[models.Model], field_name: str, raw: str) -> str | None:
    """The blind index value to filter ``field_name`` by, for a raw user-typed value."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, BlindIndexField)
    try:
        return field.compute(raw)
    except ValueError:  # not a valid phone / ID: nothing can match it
        return None


def user_ref(verbose_name: str | None = None, **options: Any) -> models.ForeignKey:
    """A link to the account that did something to a row (``created_by``, ``decided_by``, a history row's
    ``actor``, a mediator): NULL when the system did it, set to NULL when the account is deleted (the row
    stays), and no reverse accessor on the user (``related_name="+"``).

    A plain ``ForeignKey`` (migrations see no difference); ``options`` pass through and must match the
    migrations: ``blank=False`` where the column was declared without ``blank``, ``db_index=False``."""
    options = {"null": True, "blank": True, "on_delete": models.SET_NULL, "related_name": "+", **options}
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, **options)
