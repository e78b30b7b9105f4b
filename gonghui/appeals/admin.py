"""Django admin (superusers only): a read-only look at tickets for support; work happens in the console."""

from __future__ import annotations

from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin

from .models import CaseCounter, Ticket


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "status", "union", "tier", "due_on", "overdue", "created_at")
    list_filter = ("status", "kind", "tier", "overdue")
    search_fields = ("number",)
    exclude = ("phone", "phone_index", "person_name", "fingerprint", "submitter", "member")  # identity: console rules
    list_select_related = ("union",)


@admin.register(CaseCounter)
class CaseCounterAdmin(ReadOnlyAdmin):
    list_display = ("day", "last")
