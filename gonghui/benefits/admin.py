"""Django admin (superusers only) for looking at benefits rows; staff work in the console, where
every change goes through the services."""

from django.contrib import admin

from gonghui.core.admin import GuardedAdmin

from .models import Campaign, Coupon, Lottery, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "union", "status", "contract_end")
    list_filter = ("category", "status")
    search_fields = ("name", "address")
    raw_id_fields = ("union", "created_by")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "union", "issued_count", "budget_count", "redeemed_count")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    readonly_fields = ("issued_count", "issued_cents", "redeemed_count", "redeemed_cents", "rule_version", "status")
    raw_id_fields = ("union", "created_by", "launched_by")


@admin.register(Coupon)
class CouponAdmin(GuardedAdmin):
    list_display = ("code", "campaign", "status", "via", "created_at", "redeemed_at")
    list_filter = ("status", "via")
    search_fields = ("code",)
    raw_id_fields = ("campaign", "member", "rule_version", "issue_run", "redeemed_partner", "redeemed_by")
    allow_change = False  # redemption and reversal go through the services (audited, exactly once)


@admin.register(Lottery)
class LotteryAdmin(admin.ModelAdmin):
    list_display = ("name", "union", "status", "pool_size", "drawn_at")
    list_filter = ("status",)
    exclude = ("pool_ids",)
    raw_id_fields = ("union", "created_by", "drawn_by")
