"""activities pages: /activities/… on the H5, /console/activities/… in the console."""

from django.urls import URLPattern

from .views import console, h5

app_name = "activities"

urlpatterns: list[URLPattern] = [*h5.urlpatterns, *console.urlpatterns]
