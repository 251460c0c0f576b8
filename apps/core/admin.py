"""Pieces every app's admin shares, and the admin site's titles.

The admin is the reviewers' workplace. Rows that services own (reports,
reputations, devices, the audit log) are shown read-only: a change made
through a plain admin form would skip the service's audit record and the
change log aggregation reads.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from apps.numbers.selectors import caller_id

admin.site.site_header = "CallGuard staff"
admin.site.site_title = "CallGuard staff"
admin.site.index_title = "Reviews, reports and reputations"


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Viewable by whoever has the view permission; nobody adds, edits or
    deletes, superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NumberSearchMixin:
    """Search also finds a number typed the way people write it.

    ``(415) 555-2671`` is normalised to ``+14155552671`` and matched exactly
    on ``number_field``, on top of the admin's ordinary search.
    """

    number_field = "number"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        term = search_term.strip()
        if term:
            parsed = caller_id(term)
            if parsed.e164:
                results |= queryset.filter(**{self.number_field: parsed.e164})
        return results, may_have_duplicates


def form_add_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where the
    form has them, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return

    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    obj: Any = None,
    submit: str,
    intro: str = "",
    details: Iterable[tuple[str, Any]] = (),
) -> HttpResponse:
    """An admin page holding one form that a custom admin view handles."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "original": obj,
        "form": form,
        "submit": submit,
        "intro": intro,
        "details": list(details),
        "has_view_permission": model_admin.has_view_permission(request, obj),
    }
    return TemplateResponse(request, "admin/callguard/form_page.html", context)
