"""``python -m gonghui createadmin``: the first administrator of a fresh installation.

Creates (or promotes) a phone-number account, makes it a system superuser for /admin/ and, with
``--union``, creates the root union and assigns the account as its administrator.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.scope import Role
from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.unions.models import Union, UnionKind, UnionLevel
from gonghui.unions.services import union_create


class Command(BaseCommand):
    help = ("创建首位管理员（系统超级管理员，可选同时创建顶级工会并任命为其管理员）。"
            "密码从 GONGHUI_ADMIN_PASSWORD 或交互输入读取。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", required=True, help="手机号")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--union", default="", help="顶级工会名称，如“青海省总工会”（数据库中还没有工会时）")
        parser.add_argument("--level", type=int, default=UnionLevel.PROVINCE, choices=UnionLevel.values,
                            help="顶级工会层级：0 全国 1 省 2 市 3 县区（默认 1）")
        parser.add_argument("--region-code", default="", help="顶级工会行政区划代码，如 630000")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            phone = normalize_phone(options["phone"])
        except InvalidPhone as exc:
            raise CommandError(str(exc)) from None
        password = os.environ.get("GONGHUI_ADMIN_PASSWORD") or getpass.getpass("密码：")
        user = User.objects.by_phone(phone).first() or User(phone=phone, name=options["name"])
        user._becoming_staff = True  # type: ignore[attr-defined] - staff password rules apply
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        with transaction.atomic():
            user.name = options["name"]
            user.is_superuser = True
            user.set_password(password)
            user.save()
            if options["union"]:
                if Union.objects.filter(parent__isnull=True).exists():
                    raise CommandError("已有顶级工会；请在工作台或 /admin/ 中任命管理员")
                root = union_create(actor=user, parent=None, name=options["union"], kind=UnionKind.FEDERATION,
                                    level=options["level"], region_code=options["region_code"])
                StaffAssignment.objects.create(user=user, union=root, role=Role.ADMIN, created_by=user)
                self.stdout.write(f"已创建顶级工会：{root.name}，并任命 {user.name} 为管理员")
        self.stdout.write(self.style.SUCCESS(f"管理员 {user.display_label} 已就绪，请在 /login/ 登录"))
