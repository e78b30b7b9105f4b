from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "gonghui.market"
    label = "market"
    verbose_name = "云集市"
