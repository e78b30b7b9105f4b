from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "gonghui.appeals"
    label = "appeals"
    verbose_name = "12351诉求"

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

        register_console_section(ConsoleSection("appeals", "12351诉求", "appeals:queue", "☏", order=40,
                                                visible=works_with_data))
        register_tile(Tile("12351", "12351", "appeals:home", "诉", color="#f53f3f", order=5))
        register_me_link(MeLink("appeals", "我的诉求", "appeals:mine", "12351诉求的办理进度和评价", order=5))
