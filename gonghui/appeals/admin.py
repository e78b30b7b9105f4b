"""Django admin (superusers only): a read-only look at tickets for support; work happens in the console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CaseCounter, Ticket


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ("number", "kind", "status", "union", "tier", "due_on", "overdue", "created_at")
    list_filter = ("status", "kind", "tier", "overdue")
    search_fields = ("number",)
    exclude = ("phone", "phone_index", "person_name", "fingerprint", "submitter", "member")  # identity: console rules
    list_select_related = ("union",)


@admin.register(CaseCounter)
class CaseCounterAdmin(ReadOnly):
    list_display = ("day", "last")
