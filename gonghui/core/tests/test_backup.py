"""``backup`` / ``restore``: a backup restored into a second database and data directory reveals the
encrypted fields and serves the attachments; a restore without the right keys, or over existing
data, changes nothing.

The restore and the checks after it run in fresh interpreters: settings (the database, the data
directory, the keys) are read once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from gonghui.appeals.tests.helpers import PNG, at_district_a, png
from gonghui.core.backup import BackupError, restore_backup
from gonghui.members.models import Member
from gonghui.testing import build_cast

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[3]
INHERITED = ("DATABASE_URL", "REDIS_URL", "GONGHUI_MODE", "GONGHUI_DATA_DIR", "SECRET_KEY", "SECRET_KEY_FILE",
             "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEY_FILE", "FIELD_HASH_KEY", "FIELD_HASH_KEY_FILE")

# Run in the restored installation: reveal an encrypted field, find the member by the blind index of
# the ID number, and open the attachment as its worker through the real view.
VERIFY = """
import json
from django.test import Client
from gonghui.appeals.models import Attachment
from gonghui.core.fields import lookup_index
from gonghui.members.models import Member
member = Member.objects.get(pk={member})
attachment = Attachment.objects.select_related("ticket__submitter").get(uuid="{attachment}")
client = Client()
client.force_login(attachment.ticket.submitter, backend="gonghui.accounts.auth.PhoneBackend")
response = client.get(f"/appeals/files/{{attachment.uuid}}/")
print(json.dumps({{
    "id_number": member.id_number,
    "by_index": Member.objects.filter(id_index=lookup_index(Member, "id_index", member.id_number)).count(),
    "status": response.status_code, "type": response["Content-Type"],
    "body": b"".join(response.streaming_content).hex(),
}}))
"""


def gonghui(data_dir: Path, *args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    env.update(DJANGO_SETTINGS_MODULE="gonghui.settings", GONGHUI_DATA_DIR=str(data_dir),
               SILENCED_SYSTEM_CHECKS="workdays.W001")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "gonghui", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600, check=False)


def _data(tmp_path: Path, settings) -> tuple[Member, str]:
    settings.MEDIA_ROOT = tmp_path / "media-a"
    cast = build_cast()
    ticket = at_district_a(cast, files=[png()])
    member = Member.objects.exclude(id_number=None).order_by("pk").first()
    assert member is not None and member.id_number
    return member, str(ticket.attachments.get().uuid)


def _backup(tmp_path: Path) -> tuple[Path, Path]:
    out = StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    [archive] = (tmp_path / "backups").glob("*.tar")
    [keys] = (tmp_path / "backups").glob("*.keys.json")
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    assert "媒体文件 1 个" in out.getvalue()
    return archive, keys


def _restore_and_verify(tmp_path: Path, archive: Path, keys: Path, member: Member, attachment: str,
                        database_url: str | None = None) -> None:
    second = tmp_path / "second"
    refused = gonghui(second, "restore", str(archive), database_url=database_url)
    assert refused.returncode != 0 and "密钥与备份不匹配" in refused.stderr  # its own fresh keys cannot read it

    done = gonghui(second, "restore", str(archive), "--keys", str(keys), database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "媒体文件 1 个" in done.stdout and "collectstatic" in done.stdout and "Redis" in done.stdout

    shown = gonghui(second, "shell", "-c", VERIFY.format(member=member.pk, attachment=attachment),
                    database_url=database_url)
    assert shown.returncode == 0, shown.stderr
    seen = json.loads(shown.stdout.strip().splitlines()[-1])
    assert seen["id_number"] == member.id_number and seen["by_index"] == 1
    assert seen["status"] == 200 and seen["type"] == "image/png" and bytes.fromhex(seen["body"]) == PNG

    again = gonghui(second, "restore", str(archive), "--keys", str(keys), database_url=database_url)
    assert again.returncode != 0 and "目标数据库不是空的" in again.stderr


def test_a_backup_restores_into_a_second_data_directory(tmp_path: Path, settings) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite case; the PostgreSQL one follows")
    member, attachment = _data(tmp_path, settings)
    archive, keys = _backup(tmp_path)
    _restore_and_verify(tmp_path, archive, keys, member, attachment)


@pytest.mark.postgres
def test_a_backup_restores_into_a_second_postgresql_database(tmp_path: Path, settings) -> None:
    member, attachment = _data(tmp_path, settings)
    archive, keys = _backup(tmp_path)
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(os.environ["DATABASE_URL"])
        url = urlunsplit(parts._replace(path=f"/{name}"))
        _restore_and_verify(tmp_path, archive, keys, member, attachment, database_url=url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_over_existing_data_or_with_other_keys_changes_nothing(tmp_path: Path, settings) -> None:
    member, _ = _data(tmp_path, settings)
    archive, keys = _backup(tmp_path)
    with pytest.raises(BackupError, match="目标数据库不是空的"):
        restore_backup(archive)
    settings.MEDIA_ROOT = tmp_path / "media-b"
    wrong = tmp_path / "wrong.keys.json"
    data = json.loads(keys.read_text())
    wrong.write_text(json.dumps({**data, "FIELD_HASH_KEY": "x" * 43}))
    with pytest.raises(BackupError, match="FIELD_HASH_KEY"):
        restore_backup(archive, keys_file=wrong, force=True)
    assert not (tmp_path / "media-b").exists()
    assert Member.objects.get(pk=member.pk).id_number == member.id_number


def test_a_damaged_archive_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not a tar file")
    with pytest.raises(BackupError, match="无法打开备份文件"):
        restore_backup(bad)
