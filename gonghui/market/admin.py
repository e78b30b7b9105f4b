"""The market in Django admin (system superusers only): a read-mostly view for support. Orders change
state only through the services (the console and the API), never here."""

from django.contrib import admin

from gonghui.core.admin import GuardedAdmin

from .models import Batch, Need, NeedCategory, Offering, Order, Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "title_level", "union", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "specialty")
    raw_id_fields = ("union", "user")


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("title", "domain", "provider", "union", "status", "served_count", "rating_count")
    list_filter = ("status", "domain", "audience")
    search_fields = ("title",)
    raw_id_fields = ("union", "provider", "audience_union", "created_by")
    readonly_fields = ("status", "listed_at", "rating_count", "rating_sum", "served_count")


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("offering", "name", "capacity", "taken", "opens_at", "closes_at", "status")
    raw_id_fields = ("offering", "created_by")
    readonly_fields = ("taken", "status")


@admin.register(Order)
class OrderAdmin(GuardedAdmin):
    list_display = ("short_code", "offering", "status", "placed_at")
    list_filter = ("status",)
    raw_id_fields = ("offering", "batch", "slot", "union", "member", "member_union", "reorder_of")
    allow_add = allow_change = False


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "union", "position", "is_active")
    raw_id_fields = ("union",)


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "union", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("member", "union", "category", "answer_offering", "answer_provider", "answered_by")
    readonly_fields = ("status",)
