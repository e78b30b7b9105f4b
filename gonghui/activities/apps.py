from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    label = "activities"
    verbose_name = "活动"

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

        register_console_section(ConsoleSection("activities", "活动", "activities:console_list", "★", order=50,
                                                visible=works_with_data))
        register_tile(Tile("activities", "活动", "activities:list", "活", color="#0fc6c2", order=20))
        register_me_link(MeLink("activities", "我的报名", "activities:mine", "报名、候补、签到和评价", order=10))
