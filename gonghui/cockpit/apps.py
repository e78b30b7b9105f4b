from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "gonghui.cockpit"
    label = "cockpit"
    verbose_name = "驾驶舱"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, register_module

        from .selectors import can_view

        register_module(sections=[ConsoleSection("cockpit", "数据驾驶舱", "cockpit:console", "◔", order=5,
                                                 visible=can_view)])
