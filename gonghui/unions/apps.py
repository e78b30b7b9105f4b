from django.apps import AppConfig


class UnionsConfig(AppConfig):
    name = "gonghui.unions"
    label = "unions"
    verbose_name = "工会组织"

    def ready(self) -> None:
        from gonghui.core.modules import register_stats

        from .stats import SOURCE as stats_source

        register_stats(stats_source)
        from gonghui.core.modules import ConsoleSection, Tile, register_console_section, register_tile

        register_console_section(ConsoleSection("unions", "工会组织", "unions:tree", "⌘", order=10))
        register_console_section(ConsoleSection("employers", "企业/单位", "unions:employers", "▤", order=20))
        register_tile(Tile("directory", "找工会", "web:directory", "找", color="#165dff", order=10))
