from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "普惠服务"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.http import urlencode

        from gonghui.core.modules import ConsoleSection, MeLink, ScanRoute, Tile, register_module, works_with_data

        from .access import partner_role
        from .stats import SOURCE

        register_module(
            sections=[ConsoleSection("benefits", "普惠服务", "benefits:console", "惠", order=40,
                                     visible=works_with_data)],
            tiles=[Tile("coupons", "领券", "benefits:center", "ticket", color="#c2410c", order=20),
                   Tile("service_circle", "服务圈", "benefits:partners", "building-store", color="#0f7b55", order=21)],
            me_links=[MeLink("coupons", "我的券", "benefits:my_coupons", "工会普惠券，到店出示二维码核销", order=10),
                      MeLink("lotteries", "抽奖结果", "benefits:my_lotteries", "工会抽奖的开奖公示", order=11)],
            stats=SOURCE,
            # a cashier who scans a member's e-card with the phone camera lands on 商户核销 › 核验会员卡
            scan_routes=[ScanRoute("merchant", applies=lambda user: partner_role(user) is not None,
                                   url=lambda token: reverse("benefits:merchant") + "?" + urlencode({"card": token}))],
        )
