"""Read-only admin views for superusers (union staff work in the console)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Activity, Signup


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ("title", "kind", "union", "starts_at", "quota", "taken", "status")
    list_filter = ("kind", "status")
    search_fields = ("title",)


@admin.register(Signup)
class SignupAdmin(ReadOnly):
    list_display = ("uuid", "activity", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
