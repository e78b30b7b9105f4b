"""benefits pages: /benefits/… on the H5, /console/benefits/… in the console."""

from django.urls import URLPattern

app_name = "benefits"

urlpatterns: list[URLPattern] = []
