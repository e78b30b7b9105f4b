from django.apps import AppConfig


class UnionsConfig(AppConfig):
    name = "gonghui.unions"
    label = "unions"
    verbose_name = "工会组织"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, Tile, register_module

        from .stats import SOURCE

        register_module(
            sections=[ConsoleSection("unions", "工会组织", "unions:tree", "⌘", order=10),
                      ConsoleSection("employers", "企业/单位", "unions:employers", "▤", order=20)],
            tiles=[Tile("directory", "找工会", "web:directory", "search", color="#165dff", order=10)],
            stats=SOURCE,
        )
