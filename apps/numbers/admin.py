"""NANP area codes, read-only: ``manage.py import_nanpa`` maintains them."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin

from .models import AreaCode


@admin.register(AreaCode)
class AreaCodeAdmin(ReadOnlyModelAdmin):
    list_display = ("npa", "in_service", "assigned", "location", "country", "use")
    list_filter = ("in_service", "assigned", "use", "country")
    search_fields = ("npa", "location")
    ordering = ("npa",)
    actions = None
    readonly_fields = (
        "npa",
        "type_of_code",
        "assigned",
        "in_service",
        "use",
        "location",
        "country",
        "time_zone",
        "report_date",
        "updated_at",
    )
