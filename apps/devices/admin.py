"""Devices, read-only, and never their secrets.

The token hash and the push token are not shown to anyone, superusers
included, nor usable as filters or search terms (a filter on a prefix would
reveal a value one character at a time). Reviewers have no permission here.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup

from apps.core.admin import ReadOnlyModelAdmin

from .models import Device

SECRET_FIELDS = frozenset({"token_hash", "push_token"})


@admin.register(Device)
class DeviceAdmin(ReadOnlyModelAdmin):
    list_display = (
        "id",
        "platform",
        "region",
        "app_version",
        "created_at",
        "trust",
        "erased_at",
    )
    list_filter = ("platform", "region")
    search_fields = ("=id",)
    ordering = ("-created_at",)
    show_full_result_count = False
    fields = (
        "id",
        "platform",
        "region",
        "app_version",
        "phone_number",
        "has_push_token",
        "push_topic",
        "created_at",
        "updated_at",
        "erased_at",
        "agreements",
        "disagreements",
        "trust",
    )
    readonly_fields = fields
    actions = None

    @admin.display(boolean=True, description="push token")
    def has_push_token(self, obj: Device) -> bool:
        return bool(obj.push_token)

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in SECRET_FIELDS]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split("__", 1)[0] in SECRET_FIELDS:
            raise DisallowedModelAdminLookup(f"Filtering by {lookup} is not allowed")
        return super().lookup_allowed(lookup, value, request)
