from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "普惠服务"

    def ready(self) -> None:
        from gonghui.core.modules import register_stats

        from .stats import SOURCE as stats_source

        register_stats(stats_source)
        from gonghui.core.modules import (
            ConsoleSection,
            MeLink,
            Tile,
            register_console_section,
            register_me_link,
            register_tile,
        )
        from gonghui.core.scope import DATA_ROLES, scope_of

        def works_with_data(user: object) -> bool:
            scope = scope_of(user)
            return scope.is_superuser or bool(scope.paths(DATA_ROLES))

        register_console_section(ConsoleSection("benefits", "普惠服务", "benefits:console", "惠", order=40,
                                                visible=works_with_data))
        register_tile(Tile("coupons", "领券", "benefits:center", "券", color="#ff7d00", order=20))
        register_tile(Tile("service_circle", "服务圈", "benefits:partners", "圈", color="#00a870", order=21))
        register_me_link(MeLink("coupons", "我的券", "benefits:my_coupons", "工会普惠券，到店出示二维码核销", order=10))
        register_me_link(MeLink("lotteries", "抽奖结果", "benefits:my_lotteries", "工会抽奖的开奖公示", order=11))
