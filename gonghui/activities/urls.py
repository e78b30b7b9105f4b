"""activities pages: /activities/… on the H5, /console/activities/… in the console."""

from django.urls import URLPattern

app_name = "activities"

urlpatterns: list[URLPattern] = []
