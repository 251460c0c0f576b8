"""Reports, read-only: a report changes only through its service, which
records the change aggregation reads."""

from django.contrib import admin

from apps.core.admin import NumberSearchMixin, ReadOnlyModelAdmin

from .models import Report


@admin.register(Report)
class ReportAdmin(NumberSearchMixin, ReadOnlyModelAdmin):
    list_display = (
        "id",
        "number",
        "category",
        "source",
        "verification",
        "called_at",
        "created_at",
        "active",
    )
    list_filter = ("category", "source", "verification", "active")
    search_fields = ("number",)
    ordering = ("-id",)
    show_full_result_count = False
    fields = (
        "number",
        "number_region",
        "category",
        "source",
        "called_at",
        "created_at",
        "verification",
        "answered",
        "recorded_message",
        "comment",
        "consumer_area_code",
        "device",
        "external_id",
        "active",
        "superseded_at",
        "retracted_at",
    )
    readonly_fields = fields
    actions = None
