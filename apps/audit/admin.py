"""The audit log, for reading only: nobody adds, edits or deletes a record
through the admin, superusers included."""

import json

from django.contrib import admin
from django.utils.html import format_html

from apps.core.admin import NumberSearchMixin, ReadOnlyModelAdmin

from .models import AuditRecord


def _pretty(value) -> str:
    if value is None:
        return "-"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


@admin.register(AuditRecord)
class AuditRecordAdmin(NumberSearchMixin, ReadOnlyModelAdmin):
    list_display = (
        "created_at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "number",
        "reason",
    )
    list_filter = ("action", "target_type")
    search_fields = ("number", "actor_name", "target_id", "reason")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "number",
        "reason",
        "before_json",
        "after_json",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description="before")
    def before_json(self, obj: AuditRecord) -> str:
        return _pretty(obj.before)

    @admin.display(description="after")
    def after_json(self, obj: AuditRecord) -> str:
        return _pretty(obj.after)
