"""Read-only admin views for superusers (union staff work in the console)."""

from __future__ import annotations

from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin

from .models import Activity, Signup


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "union", "starts_at", "quota", "taken", "status")
    list_filter = ("kind", "status")
    search_fields = ("title",)


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ("uuid", "activity", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
