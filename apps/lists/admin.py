"""A device's own block and allow rules, read-only: they are the device's
to change, through the API."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin

from .models import ListEntry


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "pattern", "is_prefix", "action", "label", "created_at")
    list_filter = ("action", "is_prefix")
    search_fields = ("pattern",)
    ordering = ("-id",)
    fields = ("device", "pattern", "is_prefix", "action", "label", "created_at")
    readonly_fields = fields
    actions = None
