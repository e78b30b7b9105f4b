"""``python -m gonghui seed``: the deterministic synthetic data generator (gonghui/seed/).

    python -m gonghui seed [--unions 200] [--employers 400] [--members 20000] [--orders 20000]
                           [--tickets 10000] [--coupons 20000] [--signups 10000] [--seed 2026]
                           [--today YYYY-MM-DD] [--under UUID]

Into an empty database (no demo needed) it builds a province of its own (压测省总工会); with
``--under`` it appends below an existing union instead, only the parts whose size is given. A
second run without ``--under`` stops with a message.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.seed import SeedError, seed

DEFAULTS = {"unions": 200, "employers": 400, "members": 20_000, "orders": 20_000, "tickets": 10_000,
            "coupons": 20_000, "signups": 10_000}
HELP = {
    "unions": "工会总数（省→市→区县→街道/园区→基层，大多数为基层工会），至少 5 个",
    "employers": "企业/单位数（先是各基层工会所在企业，其余为未单独建会的企业）",
    "members": "会员人数（约 15%% 为新就业形态劳动者）",
    "orders": "云集市订单数（连同所需的服务方、服务项目和上架批次）",
    "tickets": "12351 诉求工单数",
    "coupons": "普惠券张数（连同券活动和合作商户）",
    "signups": "活动报名人次（连同所需的活动）",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD 格式：{text}") from None


class Command(BaseCommand):
    help = ("生成确定性的合成数据：工会组织树、企业、会员、云集市订单、12351 工单、普惠券和活动报名，"
            "分布于基准日之前约 24 个月。同样的规模、种子和基准日生成同样的数据。")

    def add_arguments(self, parser: CommandParser) -> None:
        for name, text in HELP.items():
            parser.add_argument(f"--{name}", type=int, default=None, help=f"{text}（默认 {DEFAULTS[name]:,}）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--today", type=_day, default=None,
                            help="基准日 YYYY-MM-DD（默认今天）：数据截至该日零时，时间跨度约为其前 24 个月")
        parser.add_argument("--under", default=None,
                            help="已有工会的 UUID：把数据追加到该工会之下，而不是新建一个省级工会；"
                                 "此时只生成指定了规模的部分（未指定的为 0）")

    def handle(self, *args: Any, **options: Any) -> None:
        fallback = {name: 0 for name in DEFAULTS} if options["under"] else DEFAULTS
        sizes = {name: options[name] if options[name] is not None else fallback[name] for name in DEFAULTS}
        started = time.perf_counter()
        try:
            summary = seed(**sizes, seed=options["seed"], today=options["today"], under=options["under"],
                           progress=lambda line: self.stdout.write(line))
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"完成：{summary.root.name}（{summary.root.uuid}）之下，共用时 {time.perf_counter() - started:.1f} 秒"))
