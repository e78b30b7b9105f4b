"""What every module's Django admin shares (the admin is for system superusers: union staff work in the
console, where every change goes through the services, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class GuardedAdmin(admin.ModelAdmin):
    """An admin that may be barred from adding, changing or deleting rows (the services own those)."""

    allow_add = True
    allow_change = True
    allow_delete = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.allow_add and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_change and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(GuardedAdmin):
    """Look only: no add, no change, no delete."""

    allow_add = allow_change = allow_delete = False
