from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, ScanRoute, Tile, works_with_data


def _is_cashier(user: Any) -> bool:
    from .access import partner_role  # the models are not loaded when apps.py is imported

    return partner_role(user) is not None


def _card_check(token: str) -> str:
    return reverse("benefits:merchant") + "?" + urlencode({"card": token})


class BenefitsConfig(ModuleConfig):
    name = "gonghui.benefits"
    verbose_name = "普惠服务"
    console_sections = [ConsoleSection("benefits", "普惠服务", "benefits:console", "惠", order=40,
                                       visible=works_with_data)]
    tiles = [Tile("coupons", "领券", "benefits:center", "ticket", color="#c2410c", order=20),
             Tile("service_circle", "服务圈", "benefits:partners", "building-store", color="#0f7b55", order=21)]
    me_links = [MeLink("coupons", "我的券", "benefits:my_coupons", "工会普惠券，到店出示二维码核销", order=10),
                MeLink("lotteries", "抽奖结果", "benefits:my_lotteries", "工会抽奖的开奖公示", order=11)]
    # a cashier who scans a member's e-card with the phone camera lands on 商户核销 › 核验会员卡
    scan_routes = [ScanRoute("merchant", applies=_is_cashier, url=_card_check)]
    stats = "stats.SOURCE"
