"""``python -m gonghui restore ARCHIVE [--keys FILE] [--force]``: into the database and media directory
of the settings it runs with (gonghui.core.backup, docs/backup.md). Stop the application first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 backup 生成的备份恢复数据库、媒体文件和（内置模式下的）密钥。恢复前请停止应用的所有进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="backup 生成的 .tar 文件")
        parser.add_argument("--keys", help="backup 生成的密钥文件（.keys.json）")
        parser.add_argument("--force", action="store_true", help="覆盖非空的目标数据库和媒体目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(Path(options["archive"]), keys_file=options["keys"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        checked = sum(result.decrypted.values())
        self.stdout.write(f"已恢复：{result.vendor} 数据库，媒体文件 {result.media_files} 个，"
                          f"抽查解密 {checked} 个加密字段值" + ("，已写入密钥文件" if result.keys_written else ""))
        steps = ["python -m gonghui collectstatic --noinput"]
        if result.pending_migrations:
            steps.insert(0, "python -m gonghui migrate --noinput（当前版本比备份新）")
        self.stdout.write("启动前请运行：" + "；".join(steps))
        self.stdout.write("测试环境的恢复不要连接生产环境的 Redis（REDIS_URL）。")
