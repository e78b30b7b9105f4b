from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gonghui.web"
    label = "web"
    verbose_name = "界面外壳"
