"""``python -m gonghui banner --url http://127.0.0.1:8000``: the addresses and the demo logins,
printed by ``make run`` just before the server starts."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.accounts.demo import DEMO_LOGINS, DEMO_TOTP_SECRET
from gonghui.accounts.models import SecondFactor, User

ADDRESSES = (
    ("职工端（手机H5）", "/"),
    ("工作台（工会干部）", "/console/"),
    ("接口文档（OpenAPI）", "/api/v1/docs"),
    ("系统后台", "/admin/"),
)


def width(text: str) -> int:
    """Columns on a terminal: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def table(rows: list[tuple[str, ...]], indent: str = "  ") -> list[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def existing_logins() -> list[tuple[str, str, str, str]]:
    """The demo logins whose accounts exist and are active (one blind-index lookup each)."""
    return [login for login in DEMO_LOGINS if User.objects.by_phone(login[1]).filter(is_active=True).exists()]


def demo_second_factor() -> bool:
    """Whether the demo staff logins use the published demo authenticator secret."""
    from gonghui.accounts.demo import NAMED_LOGINS

    first = next(login for login in NAMED_LOGINS if login.superuser)
    device = SecondFactor.objects.filter(user__in=User.objects.by_phone(first.phone)).first()
    return device is not None and device.secret == DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "打印访问地址和演示账号（make run 启动前调用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="服务的根地址")

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["url"].rstrip("/")
        rule = "─" * 72
        lines = [rule, "  工会 Gonghui · 智慧工会服务平台", ""]
        lines += table([(label, base + path) for label, path in ADDRESSES])
        logins = existing_logins()
        lines.append("")
        if logins:
            lines.append("  演示账号（密码公开，仅供体验；若已修改密码，以修改后的为准）：")
            lines += table([("角色", "手机号", "密码", "所在工会/入口"), *logins])
            if demo_second_factor():
                lines += ["", "  管理员、工作人员和超级管理员登录还需动态验证码（双因素认证，仅限演示的公开密钥）：",
                          f"    身份验证器 App 添加密钥 {DEMO_TOTP_SECRET}，",
                          "    或运行 python -m gonghui demo_otp 查看当前验证码"]
        else:
            lines.append("  没有演示账号：可在空数据库上运行 python -m gonghui demo 加载演示数据。")
        lines.append(rule)
        self.stdout.write("\n".join(lines))
