"""Backup and restore of one installation: ``python -m gonghui backup`` / ``python -m gonghui restore``.

A backup is two files (docs/backup.md):

* ``gonghui-backup-<time>.tar``: ``manifest.json`` (format, time, database vendor, applied
  migrations, media file count, fingerprints of the keys — a SHA-256 prefix, never a key), the
  database (``database.dump`` from ``pg_dump --format=custom --no-owner --no-privileges`` on
  PostgreSQL, or ``database.sqlite3`` from SQLite's online backup API on the embedded default: one
  consistent file while the application runs) and ``media/`` (MEDIA_ROOT: ticket attachments,
  activity photos, pending imports);
* ``gonghui-backup-<time>.keys.json`` (mode 0600): SECRET_KEY, FIELD_ENCRYPTION_KEY and
  FIELD_HASH_KEY, to be stored apart from the archive. Without them the database is unreadable.

A restore goes into the database and MEDIA_ROOT of the settings it runs with (another
DATABASE_URL or GONGHUI_DATA_DIR for a test restore). Before it touches anything it checks that the
archive is whole, that its database kind matches, that the running release knows every migration
of the dump, that the target database and media directory are empty (or ``--force``), and that the
keys it will run with are the ones the data was written with (the manifest's fingerprints). Then:
PostgreSQL through ``pg_restore --exit-on-error --single-transaction --no-owner --no-privileges``
(all or nothing, objects owned by the role of DATABASE_URL), SQLite through the backup API; the
media; in embedded mode the key files. Last it decrypts a sample of every encrypted column.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gonghui.lib import crypto

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
KEY_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass
class BackupResult:
    archive: Path
    keys: Path | None
    media_files: int
    vendor: str


@dataclass
class RestoreResult:
    vendor: str
    media_files: int
    keys_written: bool
    decrypted: dict[str, int] = field(default_factory=dict)  # "table.column" → values checked
    pending_migrations: bool = False


# --- Keys -------------------------------------------------------------------------------------------------


def _fingerprint(text: str | bytes) -> str:
    return hashlib.sha256(text if isinstance(text, bytes) else text.encode()).hexdigest()[:16]


def fingerprints(encryption_ring: str, hash_key: str) -> dict[str, Any]:
    """What identifies the keys without revealing them: per encryption key id, and the hash key."""
    ring = crypto.KeyRing.parse(encryption_ring)
    return {"field_encryption_key": {key_id: _fingerprint(raw) for key_id, raw in ring.keys.items()},
            "field_hash_key": _fingerprint(hash_key)}


def _key_problems(manifest: dict[str, Any], encryption_ring: str, hash_key: str) -> list[str]:
    """Why the given keys cannot read the backup's data (empty when they can). A newer key ring
    (rotated after the backup: new key first, old keys kept) is fine."""
    wanted = manifest["keys"]
    try:
        have = fingerprints(encryption_ring, hash_key)
    except crypto.CryptoConfigError as exc:
        return [f"FIELD_ENCRYPTION_KEY 无效：{exc}"]
    problems = [f"FIELD_ENCRYPTION_KEY 缺少备份时的密钥 {key_id}"
                for key_id, fp in wanted["field_encryption_key"].items()
                if have["field_encryption_key"].get(key_id) != fp]
    if have["field_hash_key"] != wanted["field_hash_key"]:
        problems.append("FIELD_HASH_KEY 与备份时的不同")
    return problems


def _keys_from_environment(name: str) -> bool:
    """Whether the running settings take ``name`` from the environment (NAME or NAME_FILE) rather than
    from the embedded data directory's key files, which a restore may write."""
    return bool(os.environ.get(name) or os.environ.get(f"{name}_FILE")) or settings.PRODUCTION


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


# --- The database -----------------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """libpq's variables for the connection Django uses (the password never on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(command: list[str], what: str) -> None:
    try:
        # pg_dump / pg_restore with arguments built here, never from user input
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]}：请安装与数据库服务器同版本（或更新）的 PostgreSQL 客户端") from None
    if done.returncode != 0:
        raise BackupError(f"{what}失败（{command[0]} 退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def _dump(path: Path) -> None:
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], "数据库备份")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # one consistent copy, WAL included, while others write
        finally:
            target.close()
    else:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _load(path: Path, *, clean: bool) -> None:
    connection.close()
    if connection.vendor == "postgresql":
        command = ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
                   f"--dbname={connection.settings_dict['NAME']}"]
        if clean:
            command += ["--clean", "--if-exists"]
        _run([*command, str(path)], "数据库恢复")
    else:
        source = sqlite3.connect(path)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)  # replaces the whole target database, in one step
        finally:
            target.close()
            source.close()


def _encrypted_columns() -> list[tuple[str, str]]:
    from gonghui.core.fields import EncryptedTextField

    return [(model._meta.db_table, f.column) for model in apps.get_models() if model._meta.managed
            for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def _decrypt_samples(encryption_ring: str, *, per_column: int = 20) -> dict[str, int]:
    """Decrypt up to ``per_column`` stored values of every encrypted column with the given ring."""
    ring = crypto.KeyRing.parse(encryption_ring)
    checked: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _encrypted_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL "  # noqa: S608 - names from the models
                           f"AND {quote(column)} <> '' LIMIT {int(per_column)}")
            values = [row[0] for row in cursor.fetchall()]
            for value in values:
                try:
                    crypto.decrypt(value, ring=ring)
                except Exception as exc:  # a wrong key fails authentication (InvalidTag)
                    raise BackupError(f"恢复后的 {table}.{column} 无法用这些密钥解密（{type(exc).__name__}）："
                                      "请确认使用的是备份时的密钥文件") from None
            if values:
                checked[f"{table}.{column}"] = len(values)
    return checked


# --- Media ------------------------------------------------------------------------------------------------


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- Backup -----------------------------------------------------------------------------------------------


def create_backup(directory: Path, *, keys_to: Path | None = None, with_keys: bool = True) -> BackupResult:
    """Write the archive (and the keys file) into ``directory``; nothing is left behind on failure."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"gonghui-backup-{stamp}.tar"
    keys_path = Path(keys_to) if keys_to else directory / f"gonghui-backup-{stamp}.keys.json"
    if archive.exists() or (with_keys and keys_path.exists()):
        raise BackupError(f"{archive.name} 已存在，请稍后再试")
    media_root = Path(settings.MEDIA_ROOT)
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"不支持备份 {vendor} 数据库")
    with tempfile.TemporaryDirectory(prefix=".gonghui-backup-", dir=directory) as work:
        dump = Path(work) / DUMPS[vendor]
        migrations = _applied_migrations()
        _dump(dump)
        # The files after the database: every row of the snapshot finds its file (a file uploaded
        # meanwhile comes along without its row, which is harmless).
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT, "created_at": timezone.now().isoformat(), "vendor": vendor,
            "migrations": migrations, "media_files": len(media),
            "keys": fingerprints(settings.FIELD_ENCRYPTION_KEY, settings.FIELD_HASH_KEY),
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(work) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMPS[vendor])
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}", recursive=False)
        os.replace(partial, archive)
    if with_keys:
        keys_path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(keys_path, json.dumps({name: getattr(settings, name) for name in KEY_NAMES}, indent=2) + "\n")
    return BackupResult(archive=archive, keys=keys_path if with_keys else None, media_files=len(media), vendor=vendor)


# --- Restore ----------------------------------------------------------------------------------------------


def _read_keys(path: Path) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"无法读取密钥文件 {path}：{exc}") from None
    missing = [name for name in KEY_NAMES if not isinstance(data.get(name), str) or not data[name]]
    if missing:
        raise BackupError(f"密钥文件 {path} 缺少 {', '.join(missing)}")
    return {name: data[name] for name in KEY_NAMES}


def _members(tar: tarfile.TarFile, vendor: str) -> None:
    for member in tar.getmembers():
        name = member.name
        if not (member.isfile() and (name in (MANIFEST, DUMPS[vendor]) or name.startswith("media/"))):
            raise BackupError(f"备份文件中有意外的条目 {name!r}，已停止恢复")


def restore_backup(archive: Path, *, keys_file: Path | None = None, force: bool = False) -> RestoreResult:
    archive = Path(archive)
    try:
        tar = tarfile.open(archive, "r")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法打开备份文件 {archive}：{exc}") from None
    data_dir = Path(settings.DATA_DIR)
    scratch = data_dir if data_dir.is_dir() else None
    with tar, tempfile.TemporaryDirectory(prefix=".gonghui-restore-", dir=scratch) as work:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
        except (KeyError, ValueError, TypeError):
            raise BackupError("备份文件缺少 manifest.json 或已损坏") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}")
        vendor = manifest["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"这是 {vendor} 数据库的备份，不能恢复到 {connection.vendor} 数据库")
        _members(tar, vendor)

        # Keys: the ones this installation will run with after the restore.
        given = _read_keys(keys_file) if keys_file else None
        effective = {name: getattr(settings, name) for name in KEY_NAMES}
        write_keys = False
        if given is not None:
            for name in KEY_NAMES:
                if given[name] == effective[name]:
                    continue
                if _keys_from_environment(name):
                    if name == "SECRET_KEY":
                        continue  # only signs sessions out; the configured one stays
                    raise BackupError(f"已配置的 {name} 与密钥文件中的不同：请先把备份的密钥配置到 {name} 或 "
                                      f"{name}_FILE，再恢复")
                effective[name] = given[name]
                write_keys = True
        problems = _key_problems(manifest, effective["FIELD_ENCRYPTION_KEY"], effective["FIELD_HASH_KEY"])
        if problems:
            raise BackupError("密钥与备份不匹配（" + "；".join(problems) + "）：请用 --keys 给出备份时的密钥文件，"
                              "或配置备份时的密钥")

        # The running release must know every migration of the dump.
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
        if unknown:
            raise BackupError(f"备份来自更新的版本（本版本没有迁移 {unknown[0]} 等 {len(unknown)} 个）：请先升级再恢复")

        tables = _tables()
        media_root = Path(settings.MEDIA_ROOT)
        existing_media = _media_files(media_root)
        if not force and tables:
            raise BackupError(f"目标数据库不是空的（已有 {len(tables)} 张表）：请恢复到新建的空数据库，"
                              "或确认要覆盖后加 --force")
        if not force and existing_media:
            raise BackupError(f"目标媒体目录 {media_root} 不是空的：请换用空目录，或确认要覆盖后加 --force")

        tar.extractall(work, filter="data")  # refuses absolute paths, "..", links and devices
        _load(Path(work) / DUMPS[vendor], clean=bool(tables))

        restored = Path(work) / "media"
        if force and media_root.is_dir():
            for child in media_root.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        media_root.mkdir(parents=True, exist_ok=True)
        if restored.is_dir():
            shutil.copytree(restored, media_root, dirs_exist_ok=True)
        count = len(_media_files(media_root))
        if count != manifest["media_files"]:
            raise BackupError(f"恢复的媒体文件数 {count} 与备份时的 {manifest['media_files']} 不符")

        if write_keys and given is not None:
            keys_dir = Path(settings.DATA_DIR) / "keys"
            keys_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(keys_dir, 0o700)
            for name in KEY_NAMES:
                if not _keys_from_environment(name):
                    _write_private(keys_dir / name.lower(), given[name] + "\n")

        decrypted = _decrypt_samples(effective["FIELD_ENCRYPTION_KEY"])
        applied = {tuple(pair) for pair in manifest["migrations"]}
        pending = any(key not in applied for key in known)
    return RestoreResult(vendor=vendor, media_files=count, keys_written=write_keys, decrypted=decrypted,
                         pending_migrations=pending)
