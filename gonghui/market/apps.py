from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class MarketConfig(ModuleConfig):
    name = "gonghui.market"
    verbose_name = "云集市"
    console_sections = [ConsoleSection("market", "云集市", "market:console_offerings", "集", order=40,
                                       visible=works_with_data)]
    tiles = [Tile("market", "云集市", "market:home", "basket", color="#c2410c", order=20)]
    me_links = [MeLink("market_orders", "我的云集市订单", "market:orders", "预约的服务、签收和评价", order=10),
                MeLink("market_needs", "我的服务需求", "market:needs", "没找到合适的服务？告诉工会", order=11)]
    stats = "stats.SOURCE"
