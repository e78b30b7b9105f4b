"""``python -m gonghui demo_otp``: the current sign-in code of the demo staff logins' published authenticator
secret (accounts/demo.py), so that trying the demo needs no phone app. Refused in production."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "显示演示工作人员账号当前的动态验证码（仅限演示，生产模式下不可用）"

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产模式下不提供演示验证码")
        left = 30 - int(time.time()) % 30
        code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
        self.stdout.write(f"演示动态验证码：{code}（{left} 秒后更新；每个验证码只能使用一次）")
