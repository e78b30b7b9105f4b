"""appeals pages: /appeals/… on the H5, /console/appeals/… in the console."""

from django.urls import URLPattern

app_name = "appeals"

urlpatterns: list[URLPattern] = []
