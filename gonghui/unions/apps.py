from gonghui.core.modules import ConsoleSection, ModuleConfig, Tile


class UnionsConfig(ModuleConfig):
    name = "gonghui.unions"
    verbose_name = "工会组织"
    console_sections = [ConsoleSection("unions", "工会组织", "unions:tree", "⌘", order=10),
                        ConsoleSection("employers", "企业/单位", "unions:employers", "▤", order=20)]
    tiles = [Tile("directory", "找工会", "web:directory", "search", color="#165dff", order=10)]
    stats = "stats.SOURCE"
