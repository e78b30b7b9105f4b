"""Set-based writing: many rows in a few statements, for the roster commit and the demo data.

``bulk_insert`` (multi-row INSERT, or COPY on PostgreSQL), ``reserve_ids`` (primary keys drawn
before the INSERT), ``insert_members`` (new members with their card numbers in one pass) and
``assign_card_numbers`` (card numbers of existing rows, one UPDATE per batch and region).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

from django.db import connections, models, router
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.lib import crypto
from gonghui.unions.models import Union

from ...models import Member

# --- Set-based writing ----------------------------------------------------------------------------------------
# bulk_create spends ~0.15 ms per member preparing 30 values one Field method at a time (and
# re-parses every ID number for its blind index): at 100,000 rows that alone is 15 s, three times
# the budget. ``bulk_insert`` prepares each column with the one conversion it needs, and encrypts
# through the same crypto.encrypt the field uses.


def _memo(convert: Any) -> Any:
    """A per-column cache: a commit's timestamps are one value, its dates a few thousand."""
    seen: dict[Any, Any] = {}

    def prepare(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = convert(value)
            return converted

    return prepare


def _column_preparer(field: Any, connection: Any) -> Any:
    if isinstance(field, EncryptedTextField):
        seal = crypto.encryptor()  # the key ring read once per column, not per value
        return lambda value: seal(str(value)) if value not in (None, "") else value
    if isinstance(field, models.DateTimeField):
        return _memo(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _memo(connection.ops.adapt_datefield_value)
    if isinstance(field, models.CharField | models.TextField | models.BooleanField | models.IntegerField
                  | models.ForeignKey):
        return None  # str, bool, int and None go to both drivers as they are
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(model: type[Any], rows: list[dict[str, Any]], *,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (values by attname, every row with the same keys) in multi-row statements;
    returns the ``returning`` columns of the new rows. A field not given takes its default
    (callables called per row); a blind index not given is computed from its source; auto_now
    fields get the current time; the primary key is written only when given.

    Preconditions: values are already clean (this is the commit of checked rows); inside the
    caller's transaction.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    copy = not returning and connection.vendor == "postgresql"
    given = rows[0].keys()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
    now = timezone.now()
    columns: list[list[Any]] = []
    for field in fields:  # column by column: one comprehension per column instead of a call per value
        if field.attname in given:
            values = [row[field.attname] for row in rows]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = [now] * len(rows)
        elif isinstance(field, BlindIndexField):
            values = [field.compute(row.get(field.source)) for row in rows]
        elif field.default is uuid.uuid4:
            # Random UUIDs as the database stores them (32 hex digits on SQLite, which PostgreSQL
            # also reads), from one draw of random bytes: uuid4() per row built a UUID object each.
            columns.append(_random_uuids(len(rows), connection, text=copy))
            continue
        elif field.has_default() and callable(field.default):
            values = [field.default() for _ in rows]
        else:
            values = [field.get_default()] * len(rows)
        prepare = _column_preparer(field, connection)
        columns.append(values if prepare is None else [prepare(v) for v in values])
    records = list(zip(*columns, strict=True))
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = ""
    if returning:
        tail = " RETURNING " + ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in returning)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if copy:
            # COPY: the server's bulk path, with psycopg adapting each value by its Python type.
            # Through psycopg's own cursor, so its errors are wrapped here as Django's (a unique
            # index refusing a row is django.db.IntegrityError, as for the INSERT below).
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as stream:
                for record in records:
                    stream.write_row(record)
            return found
        if not returning:
            # One prepared statement, many parameter rows, which sqlite3 steps through in C.
            sql = f"INSERT INTO {table} ({names}) VALUES {placeholders}"  # noqa: S608 - quoted identifiers
            for chunk in _chunks(records, 5000):
                cursor.executemany(sql, chunk)
            return found
        batch = max(1, min(500, _max_params(connection) // len(fields)))
        for chunk in _chunks(records, batch):
            # Identifiers come from the model's metadata, quoted; every value is a parameter.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(chunk))}{tail}"  # noqa: S608
            cursor.execute(sql, list(chain.from_iterable(chunk)))
            found.extend(tuple(r) for r in cursor.fetchall())
    return found


def _random_uuids(count: int, connection: Any, *, text: bool = False) -> list[Any]:
    """``count`` version-4 UUIDs (RFC 4122: the version nibble 4, the variant bits 10), as the
    database value: hex text on SQLite (what UUIDField stores there) and for PostgreSQL's COPY
    (``text``: its uuid input reads 32 hex digits, so no UUID object is built per row), else UUID
    objects on PostgreSQL."""
    pool = bytearray(os.urandom(16 * count))
    pool[6::16] = bytes((b & 0x0F) | 0x40 for b in pool[6::16])
    pool[8::16] = bytes((b & 0x3F) | 0x80 for b in pool[8::16])
    hexed = pool.hex()
    values = [hexed[i:i + 32] for i in range(0, 32 * count, 32)]
    if text or connection.vendor == "sqlite":
        return values
    return [uuid.UUID(hex=value) for value in values]


def reserve_ids(model: type[Any], count: int) -> list[int]:
    """``count`` primary keys for rows about to be inserted, so that values derived from the key
    (the card number) go into the same INSERT instead of a second pass of UPDATEs.

    PostgreSQL: drawn from the column's sequence. SQLite: the keys after the table's high-water
    mark, which is sound because the caller's transaction holds SQLite's only write lock
    (IMMEDIATE transactions, settings.py) — and were it not so, a clash would be an IntegrityError
    on the primary key, never a silent overwrite. Preconditions: inside the inserting transaction.
    """
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {quoted}")  # noqa: S608
        high = max(found[0] if found else 0, cursor.fetchone()[0])
    return list(range(high + 1, high + 1 + count))


def insert_members(rows: list[dict[str, Any]]) -> list[int]:
    """Insert new members (values by attname, checked; ``union_id`` set) with their card numbers
    (registry.card_number: the union's region prefix and the key) in one pass. Returns the keys."""
    ids = reserve_ids(Member, len(rows))
    unions = {u.pk: u for u in Union.objects.filter(pk__in={row["union_id"] for row in rows})}
    regions = _region_of(unions)
    for pk, row in zip(ids, rows, strict=True):
        row["id"] = pk
        row["card_no"] = f"{regions[row['union_id']]}{pk:010d}"
    bulk_insert(Member, rows)
    return ids


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _max_params(connection: Any) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return min(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)
        except AttributeError:  # pragma: no cover - Python < 3.11
            return 999
    return 60000  # PostgreSQL's limit is 65,535 parameters per statement


def _region_of(unions: dict[int, Union]) -> dict[int, str]:
    """The card-number prefix of each union: its region code, else its nearest ancestor's."""
    ancestor_ids = {pk for u in unions.values() for pk in u.ancestor_ids}
    codes = dict(Union.objects.filter(pk__in=list(ancestor_ids)).values_list("pk", "region_code"))
    regions = {}
    for pk, union in unions.items():
        region = union.region_code[:6] or next(
            (codes[a][:6] for a in reversed(union.ancestor_ids) if codes.get(a)), "000000")
        regions[pk] = f"{region:0<6}"
    return regions


def assign_card_numbers(members: Sequence[tuple[int, int]]) -> None:
    """Card number = region prefix + the member's primary key (registry.card_number) for each
    (member pk, union pk), set with one UPDATE per batch and region instead of one per member."""
    if not members:
        return
    unions = {u.pk: u for u in Union.objects.filter(pk__in={union_id for _, union_id in members})}
    regions = _region_of(unions)
    by_region: dict[str, list[int]] = {}
    for pk, union_id in members:
        by_region.setdefault(regions[union_id], []).append(pk)
    for region, pks in by_region.items():
        for chunk in _chunks(pks, 900):
            Member.objects.filter(pk__in=chunk).update(
                card_no=Concat(Value(region), LPad(Cast(F("pk"), CharField()), 10, Value("0")),
                               output_field=CharField()))
