from django.urls import path

from gonghui.core.modules import module_urls

from .views import staff as views

app_name = "cockpit"

urlpatterns = module_urls(app_name, console=[
    path("", views.console, name="console"),
    path("screen/", views.screen, name="screen"),
    path("export/<slug:table>.xlsx", views.export, name="export"),
    path("refresh/", views.refresh, name="refresh"),
])
