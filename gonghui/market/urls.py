"""market pages: /market/… on the H5, /console/market/… in the console."""

from django.urls import URLPattern

app_name = "market"

urlpatterns: list[URLPattern] = []
