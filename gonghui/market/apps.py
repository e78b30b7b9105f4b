from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "gonghui.market"
    label = "market"
    verbose_name = "云集市"

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

        register_console_section(ConsoleSection("market", "云集市", "market:console_offerings", "集", order=40,
                                                visible=works_with_data))
        register_tile(Tile("market", "云集市", "market:home", "集", color="#fa8c16", order=20))
        register_me_link(MeLink("market_orders", "我的云集市订单", "market:orders", "预约的服务、签收和评价", order=10))
        register_me_link(MeLink("market_needs", "我的服务需求", "market:needs", "没找到合适的服务？告诉工会", order=11))
