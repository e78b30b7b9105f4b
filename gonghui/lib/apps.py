from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "gonghui.lib"
    label = "lib"
    verbose_name = "基础工具"

    def ready(self) -> None:
        from .checks import register

        register()
