from django.contrib import admin

from .models import Brand, Employer, Grid, Union


@admin.register(Union)
class UnionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "level", "region_code", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name",)
    readonly_fields = ("path", "depth", "join_code")
    raw_id_fields = ("parent",)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry", "union")
    search_fields = ("name", "uscc")
    raw_id_fields = ("union", "grid", "liaison")


admin.site.register(Grid)
admin.site.register(Brand)
