"""Encrypted phone numbers: nothing in plaintext in the tables, yet findable by exact value."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from gonghui.accounts.models import User
from gonghui.lib.crypto import is_encrypted
from gonghui.testing import PASSWORD, texted

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
MESSY = "138 0013 8000"


def raw_rows(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a fixed table name
        return list(cursor.fetchall())


def cells_containing(table: str, *needles: str) -> list[str]:
    """Every cell of ``table`` (as text) that contains one of the needles."""
    return [
        f"{table}: {cell!r}"
        for row in raw_rows(table)
        for cell in row
        if cell is not None and any(needle in str(cell) for needle in needles)
    ]


def test_it_stores_the_phone_encrypted_and_indexed() -> None:
    user = User.objects.create_user(PHONE, PASSWORD, name="张三")
    assert cells_containing("accounts_user", PHONE) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        stored, index = cursor.fetchone()
    assert is_encrypted(stored) and len(index) == 64
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_it_stores_a_messy_phone_normalized() -> None:
    user = User.objects.create_user("+86 138-0013-8000", PASSWORD, name="张三")
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert cells_containing("accounts_user", PHONE, MESSY) == []


@pytest.mark.parametrize("typed", [PHONE, MESSY, "+86 13800138000", "0086-138-0013-8000", "１３８００１３８０００"])
def test_it_finds_a_user_by_phone_however_it_is_typed(typed: str) -> None:
    user = User.objects.create_user(PHONE, PASSWORD, name="张三")
    User.objects.create_user("13900139000", PASSWORD, name="李四")
    assert list(User.objects.by_phone(typed)) == [user]


@pytest.mark.parametrize("typed", ["", "12345", "not a phone", "12800138000", "1380013800"])
def test_it_finds_nobody_for_an_invalid_phone(typed: str) -> None:
    User.objects.create_user(PHONE, PASSWORD, name="张三")
    assert list(User.objects.by_phone(typed)) == []


def test_it_cannot_search_the_encrypted_column_directly() -> None:
    User.objects.create_user(PHONE, PASSWORD, name="张三")
    # The column holds ciphertext with a random nonce: only the blind index finds a row.
    assert not User.objects.filter(phone=PHONE).exists()


def _register_and_log_in() -> None:
    client = Client()
    code = texted(lambda: client.post("/register/", {"action": "send", "phone": MESSY}), PHONE)
    registered = client.post("/register/", {"name": "张三", "phone": MESSY, "code": code, "password": PASSWORD})
    assert registered.status_code == 302
    logged_in = Client().post("/login/", {"phone": PHONE, "password": PASSWORD})
    assert logged_in.status_code == 302
    # Failures after the success: a successful login clears the account's axes rows.
    failed = Client().post("/login/", {"phone": MESSY, "password": "wrong-password"})
    assert failed.status_code == 200
    api_failed = Client().post("/api/v1/accounts/token", {"phone": PHONE, "password": "wrong-password"},
                               content_type="application/json")
    assert api_failed.status_code == 400


def test_it_keeps_the_plaintext_phone_out_of_the_audit_log_and_sessions() -> None:
    _register_and_log_in()
    rows = raw_rows("core_auditlog")
    assert len(rows) >= 4  # registration, login, failed web and API logins
    leaks = [cell for table in ("core_auditlog", "accounts_user", "django_session")
             for cell in cells_containing(table, PHONE, MESSY)]
    assert leaks == []


def test_it_keeps_the_plaintext_phone_out_of_the_axes_tables() -> None:
    _register_and_log_in()
    tables = [t for t in connection.introspection.table_names() if t.startswith("axes_")]
    assert "axes_accessattempt" in tables
    assert raw_rows("axes_accessattempt")  # the failed logins were counted …
    leaks = [cell for table in tables for cell in cells_containing(table, PHONE, MESSY)]
    assert leaks == []  # … under the blind index, not the phone
