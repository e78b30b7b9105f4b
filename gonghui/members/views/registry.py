"""members pages: registry (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
