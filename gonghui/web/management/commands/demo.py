"""``python -m gonghui demo [--if-empty] [--seed N] [--members N]``: load the demo province in one transaction.

The web app sits on top of every other app, so this command is where each app's demo builder is
called, in the order the imports flow: the union tree, then the accounts, then the field work, then
the members and their workflows.
"""

from __future__ import annotations

import logging
import random
import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gonghui.accounts import demo as accounts_demo
from gonghui.accounts.models import StaffAssignment, User
from gonghui.members import demo as members_demo
from gonghui.seed import claims as seed_claims
from gonghui.seed import demo as seed_demo
from gonghui.seed import province, qinghai
from gonghui.unions import demo as unions_demo
from gonghui.unions.models import Union


def build_demo(*, seed: int = unions_demo.DEFAULT_SEED, employers: int = unions_demo.DEFAULT_EMPLOYERS,
               workers: int = accounts_demo.WORKERS, members: int = members_demo.DEFAULT_MEMBERS,
               services: bool = True) -> list[str]:
    """Every app's demo data, from one seeded generator.

    Preconditions: inside a transaction, on a database without unions; ``members`` is 0 (no
    members) or at least members_demo.MIN_MEMBERS. ``services=False`` stops after the members (a
    module's own tests then build just that module's part).
    """
    rng = random.Random(seed)
    tree = qinghai.build_unions(rng, employers=employers)
    people = accounts_demo.build_people(rng, tree, workers=workers)
    unions_demo.build_field_work(rng, tree, actor=people.province_admin)
    lines: list[str] = []
    if members:
        province.build_members(rng, tree, people, count=members)
        # The service modules' demo builders (seed.demo.SERVICES), in order; each reads the tree and
        # members from the database and returns its summary lines. They need members. Each draws from
        # a stream of its own, so that a change in one module's demo leaves the others' data as it was.
        for build in seed_demo.SERVICES if services else ():
            lines += build(seed_demo.stream_for(seed, build))
        lines += seed_claims.build_claims(seed) if services else []  # 实名认证 samples, a share bound
    return lines


class Command(BaseCommand):
    help = ("加载演示数据：青海省一省两市的工会组织树、企业档案、网格、走访、问题清单、品牌矩阵、演示账号，"
            "以及实名会员和入会申请、会籍转移等办理记录。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有工会时什么也不做（make run 首次启动时使用）")
        parser.add_argument("--seed", type=int, default=unions_demo.DEFAULT_SEED,
                            help=f"随机种子，同一种子生成相同的数据（默认 {unions_demo.DEFAULT_SEED}）")
        parser.add_argument("--employers", type=int, default=unions_demo.DEFAULT_EMPLOYERS,
                            help=f"企业数量（默认 {unions_demo.DEFAULT_EMPLOYERS}）")
        parser.add_argument("--workers", type=int, default=accounts_demo.WORKERS,
                            help=f"职工账号数量（默认 {accounts_demo.WORKERS}，另有具名演示账号）")
        parser.add_argument("--members", type=int, default=members_demo.DEFAULT_MEMBERS,
                            help=f"会员人数（默认 {members_demo.DEFAULT_MEMBERS}；0 表示不生成会员，"
                                 f"否则至少 {members_demo.MIN_MEMBERS}）")
        parser.add_argument("--without-services", dest="services", action="store_false",
                            help="只加载组织、账号和会员，不加载云集市、普惠、活动等服务模块的演示数据")
        parser.add_argument("--force", action="store_true",
                            help="生产模式下也加载（演示账号的密码是公开的，切勿用于真实环境）")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("生产模式（GONGHUI_MODE=production）下不加载演示数据：演示账号的密码是公开的。")
        if options["employers"] < 1 or options["workers"] < 0:
            raise CommandError("企业数量至少为1，职工账号数量不能为负数")
        if options["members"] != 0 and options["members"] < members_demo.MIN_MEMBERS:
            raise CommandError(f"会员人数为0（不生成会员）或至少{members_demo.MIN_MEMBERS}人")
        started = time.perf_counter()
        # The emptiness check is inside the transaction: on SQLite BEGIN IMMEDIATE takes the write
        # lock, so two processes starting at once can't both find the database empty.
        # The audit rows are still written; only their one-line log echo is muted, which would
        # otherwise print a thousand lines on the first `make run`.
        audit_logger = logging.getLogger("gonghui.audit")
        level = audit_logger.level
        audit_logger.setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                if Union.objects.exists():
                    if options["if_empty"]:
                        self.stdout.write("数据库中已有工会数据，跳过演示数据。")
                        return
                    raise CommandError("数据库中已有工会数据，演示数据只能加载到空数据库（使用 --if-empty 可跳过）。")
                extra = build_demo(seed=options["seed"], employers=options["employers"],
                                   workers=options["workers"], members=options["members"],
                                   services=options["services"])
        finally:
            audit_logger.setLevel(level)
        self.stdout.write(self.summary(time.perf_counter() - started))
        for line in extra:
            self.stdout.write(f"  {line}")
        if options["services"]:
            # The cockpit shows the demo at once instead of after the first scheduled refresh.
            run = import_module("gonghui.cockpit.services").stats_refresh()
            self.stdout.write(f"  驾驶舱统计已生成（{run.rows} 行，用时 {run.seconds:.1f} 秒）")

    def summary(self, seconds: float) -> str:
        c = unions_demo.counts()
        kinds = "、".join(f"{label}{n}" for label, n in c["unions_by_kind"].items())
        problems = "、".join(f"{label}{n}" for label, n in c["problems_by_status"].items())
        share = round(100 * c["established"] / c["employers"]) if c["employers"] else 0
        staff = User.objects.filter(assignments__isnull=False).distinct().count()
        users = User.objects.count()
        superusers = User.objects.filter(is_superuser=True).count()
        m = members_demo.counts()
        total = m["total"] or 1
        applications = "、".join(f"{label}{n}" for label, n in m["applications"].items()) or "无"
        transfers = "、".join(f"{label}{n}" for label, n in m["transfers"].items()) or "无"
        return "\n".join((
            f"演示数据已加载（用时 {seconds:.1f} 秒）：",
            f"  工会组织 {c['unions']} 个（{kinds}）",
            f"  企业/单位 {c['employers']} 家，覆盖 {c['industries']} 个行业门类，"
            f"已单独建会 {c['established']} 家（{share}%）",
            f"  网格 {c['grids']} 个，走访记录 {c['visits']} 条，问题清单 {sum(c['problems_by_status'].values())} 条"
            f"（{problems}）",
            f"  品牌矩阵 {c['brand_modules']} 个模块、{c['sub_brands']} 个子品牌",
            f"  账号 {users} 个：工会工作人员 {staff} 人（任职 {StaffAssignment.objects.count()} 项），"
            f"职工 {users - staff - superusers} 人，系统超级管理员 {superusers} 人",
            f"  会员 {m['total']} 人（在册 {m['current']} 人）：新就业形态劳动者 {m['gig']} 人"
            f"（{100 * m['gig'] / total:.1f}%），农业户口 {m['migrant']} 人（{100 * m['migrant'] / total:.0f}%），"
            f"劳模 {m['model']} 人，困难职工 {m['hardship']} 人，已绑定账号 {m['linked']} 人",
            f"  入会申请 {sum(m['applications'].values())} 份（{applications}），集中入会活动 {m['drives']} 个",
            f"  会籍转移 {sum(m['transfers'].values())} 项（{transfers}），"
            f"个人信息权利请求待处理 {m['rights_pending']} 项",
        ))
