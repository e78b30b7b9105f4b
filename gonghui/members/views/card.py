"""members pages: card (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
