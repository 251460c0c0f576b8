"""Block lists, read-only: aggregation publishes them."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.numbers.selectors import caller_id

from .models import BlocklistChange, BlocklistEntry, BlocklistRegion, BlocklistVersion


class DigitsSearchMixin:
    """Search by a number in any common format; the rows hold E.164 digits."""

    search_fields = ("number",)  # Shows the search box; the lookup is below.

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False

        parsed = caller_id(term)
        if parsed.digits is None:
            return queryset.none(), False
        return queryset.filter(number=int(parsed.digits)), False


@admin.register(BlocklistRegion)
class BlocklistRegionAdmin(ReadOnlyModelAdmin):
    list_display = ("region", "version", "candidates", "counts", "updated_at")
    ordering = ("region",)
    actions = None


@admin.register(BlocklistVersion)
class BlocklistVersionAdmin(ReadOnlyModelAdmin):
    list_display = ("region", "version", "created_at", "size", "changes", "reset")
    list_filter = ("region", "reset")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    actions = None


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(DigitsSearchMixin, ReadOnlyModelAdmin):
    list_display = ("number", "region", "action", "label", "rank", "tier")
    list_filter = ("region", "action")
    ordering = ("region", "-rank", "number")
    show_full_result_count = False
    actions = None


@admin.register(BlocklistChange)
class BlocklistChangeAdmin(DigitsSearchMixin, ReadOnlyModelAdmin):
    list_display = ("region", "version", "number", "old_action", "action", "label")
    list_filter = ("region",)
    ordering = ("-id",)
    show_full_result_count = False
    actions = None
