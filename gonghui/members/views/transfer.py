"""members pages: transfer (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
