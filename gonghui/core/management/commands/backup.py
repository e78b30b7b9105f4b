"""``python -m gonghui backup --output DIR [--keys-output FILE | --no-keys]``: the database, the media
directory and the keys in one go (gonghui.core.backup, docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库、媒体文件（附件、照片）和密钥。应用运行时也可执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="备份文件写入的目录")
        parser.add_argument("--keys-output", help="密钥文件的路径（默认与备份文件同目录；请与备份分开保管）")
        parser.add_argument("--no-keys", action="store_true", help="不写密钥文件（密钥已另行保管且未变）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["no_keys"] and options["keys_output"]:
            raise CommandError("--no-keys 与 --keys-output 不能同时使用")
        try:
            result = create_backup(Path(options["output"]), keys_to=options["keys_output"],
                                   with_keys=not options["no_keys"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"备份文件：{result.archive}（{result.vendor} 数据库，媒体文件 {result.media_files} 个）")
        if result.keys:
            self.stdout.write(f"密钥文件：{result.keys}（请与备份文件分开保管；丢失则数据无法读取）")
