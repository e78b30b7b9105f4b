from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "gonghui.appeals"
    label = "appeals"
    verbose_name = "12351诉求"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, MeLink, Tile, register_module, works_with_data

        from .stats import SOURCE

        register_module(
            sections=[ConsoleSection("appeals", "12351诉求", "appeals:queue", "☏", order=40, visible=works_with_data)],
            tiles=[Tile("12351", "12351", "appeals:home", "message-report", color="#d42a2a", order=5)],
            me_links=[MeLink("appeals", "我的诉求", "appeals:mine", "12351诉求的办理进度和评价", order=5)],
            stats=SOURCE,
        )
