from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    label = "activities"
    verbose_name = "活动"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, MeLink, Tile, register_module, works_with_data

        from .stats import SOURCE

        register_module(
            sections=[ConsoleSection("activities", "活动", "activities:console_list", "★", order=50,
                                     visible=works_with_data)],
            tiles=[Tile("activities", "活动", "activities:list", "calendar-event", color="#0e7c86", order=20)],
            me_links=[MeLink("activities", "我的报名", "activities:mine", "报名、候补、签到和评价", order=10)],
            stats=SOURCE,
        )
