"""settings.py's secrets: generated once on a fresh data directory, never silently regenerated.

Each case starts a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gonghui.lib.crypto import KeyRing

REPO = Path(__file__).resolve().parents[3]
KEY_FILES = ("secret_key", "field_encryption_key", "field_hash_key")
SHOW = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'secret_key': s.SECRET_KEY, 'field_encryption_key': s.FIELD_ENCRYPTION_KEY, "
    "'field_hash_key': s.FIELD_HASH_KEY, 'database': s.DATABASES['default']['NAME']}))"
)
# A full start loads every app (about 1 s); the key logic runs when settings are first read, which is
# the first thing django.setup() does, so most cases only read them.
SETUP_FIRST = "import django; django.setup(); "
# Whatever configures the outer test run must not leak into the started interpreter.
INHERITED = ("DATABASE_URL", "REDIS_URL", "GONGHUI_MODE", "GONGHUI_DATA_DIR", "SECRET_KEY", "SECRET_KEY_FILE",
             "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEY_FILE", "FIELD_HASH_KEY", "FIELD_HASH_KEY_FILE")


def start(data_dir: Path, *, setup: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in INHERITED}
    environment.update(DJANGO_SETTINGS_MODULE="gonghui.settings", GONGHUI_DATA_DIR=str(data_dir), **env)
    code = (SETUP_FIRST if setup else "") + SHOW
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True, timeout=60,
        check=False,
    )


def started(data_dir: Path, *, setup: bool = False, **env: str) -> dict[str, str]:
    result = start(data_dir, setup=setup, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def failure(data_dir: Path, **env: str) -> str:
    result = start(data_dir, **env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_it_generates_private_keys_on_a_fresh_data_directory_and_reuses_them(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = started(data, setup=True)
    keys = data / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for name in KEY_FILES:
        path = keys / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert path.read_text().strip() == first[name]
    assert len(first["secret_key"]) >= 50
    ring = KeyRing.parse(first["field_encryption_key"])
    assert ring.current_id == "1" and len(ring.keys["1"]) == 32
    assert first["database"] == str(data / "gonghui.sqlite3")

    (data / "gonghui.sqlite3").write_bytes(b"")  # the database now exists: the keys must be reused
    assert started(data, setup=True) == first


@pytest.mark.parametrize("missing", KEY_FILES)
def test_it_refuses_to_start_when_a_key_of_an_existing_database_is_missing(tmp_path: Path, missing: str) -> None:
    first = started(tmp_path)
    (tmp_path / "gonghui.sqlite3").write_bytes(b"")
    (tmp_path / "keys" / missing).unlink()
    message = failure(tmp_path)
    assert f"The key file {tmp_path / 'keys' / missing} is missing" in message
    assert "Restore the key from your backup" in message
    assert not (tmp_path / "keys" / missing).exists()  # nothing was regenerated
    others = [name for name in KEY_FILES if name != missing]
    assert all((tmp_path / "keys" / name).read_text().strip() == first[name] for name in others)


def test_it_refuses_to_start_on_a_database_without_any_keys(tmp_path: Path) -> None:
    (tmp_path / "gonghui.sqlite3").write_bytes(b"")
    assert "is missing but the database" in failure(tmp_path)
    assert not (tmp_path / "keys").exists() or not any((tmp_path / "keys").iterdir())


def test_it_refuses_production_without_a_secret_key(tmp_path: Path) -> None:
    result = start(tmp_path, setup=True, GONGHUI_MODE="production")
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    message = result.stderr
    assert "SECRET_KEY is not set" in message and "SECRET_KEY_FILE" in message
    assert not (tmp_path / "keys").exists()  # production never generates keys


def test_it_refuses_production_without_the_field_keys(tmp_path: Path) -> None:
    message = failure(tmp_path, GONGHUI_MODE="production", SECRET_KEY="s" * 50)
    assert "FIELD_ENCRYPTION_KEY is not set" in message
    message = failure(tmp_path, GONGHUI_MODE="production", SECRET_KEY="s" * 50,
                      FIELD_ENCRYPTION_KEY="1:" + "A" * 43 + "=")
    assert "FIELD_HASH_KEY is not set" in message


def test_it_refuses_an_unknown_mode(tmp_path: Path) -> None:
    assert "GONGHUI_MODE must be 'embedded' or 'production'" in failure(tmp_path, GONGHUI_MODE="staging")


def test_it_reads_secrets_from_files(tmp_path: Path) -> None:
    secrets_dir = tmp_path / "run-secrets"
    secrets_dir.mkdir()
    given = {"SECRET_KEY": "from-a-file-" + "x" * 40, "FIELD_ENCRYPTION_KEY": "3:" + "B" * 43 + "=",
             "FIELD_HASH_KEY": "hash-from-a-file"}
    for name, value in given.items():
        (secrets_dir / name.lower()).write_text(f"{value}\n")  # a trailing newline, as editors leave it
    files = {f"{name}_FILE": str(secrets_dir / name.lower()) for name in given}
    shown = started(tmp_path / "data", GONGHUI_MODE="production", **files)
    assert (shown["secret_key"], shown["field_encryption_key"], shown["field_hash_key"]) == tuple(given.values())
    assert not (tmp_path / "data" / "keys").exists()


def test_it_prefers_the_variable_to_the_file_and_generates_only_what_is_not_given(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file")
    shown = started(tmp_path / "data", SECRET_KEY="from-the-variable", SECRET_KEY_FILE=str(secret_file),
                    FIELD_HASH_KEY_FILE=str(secret_file))
    assert shown["secret_key"] == "from-the-variable"
    assert shown["field_hash_key"] == "from-the-file"
    assert sorted(p.name for p in (tmp_path / "data" / "keys").iterdir()) == ["field_encryption_key"]
