from django.apps import AppConfig


class SurveysConfig(AppConfig):
    # No register_module() yet: the module has no pages (console, H5) or API in this first slice, and a
    # tile or console section must point at a page that exists.
    name = "gonghui.surveys"
    label = "surveys"
    verbose_name = "问卷"
