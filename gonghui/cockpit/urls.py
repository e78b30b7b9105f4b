from django.urls import path

from .views import staff as views

app_name = "cockpit"

urlpatterns = [
    path("console/cockpit/", views.console, name="console"),
    path("console/cockpit/screen/", views.screen, name="screen"),
    path("console/cockpit/export/<slug:table>.xlsx", views.export, name="export"),
    path("console/cockpit/refresh/", views.refresh, name="refresh"),
]
