"""Reputations (read-only: aggregation writes them) and staff overrides.

An override is never edited in place: it is set (replacing the active one)
or lifted, through `apps.reputation.overrides`, which writes the audit record
and queues the number for the next aggregation run.
"""

import phonenumbers
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone

from apps.core.admin import (
    NumberSearchMixin,
    ReadOnlyModelAdmin,
    form_add_errors,
    form_page,
)
from apps.numbers.selectors import caller_id

from .models import Override, OverrideKind, Reputation
from .overrides import LABELLED_KINDS, override_lift, override_set


@admin.register(Reputation)
class ReputationAdmin(NumberSearchMixin, ReadOnlyModelAdmin):
    list_display = (
        "number",
        "verdict",
        "score",
        "label",
        "category",
        "reporters",
        "spam_count",
        "not_spam_count",
        "flagged_for_review",
        "last_reported_at",
    )
    list_filter = ("verdict", "flagged_for_review", "region")
    search_fields = ("number", "label")
    ordering = ("-score",)
    show_full_result_count = False


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("lifted", "Lifted")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class OverrideSetForm(forms.Form):
    number = forms.CharField(
        max_length=64, help_text="Any common format; +country code or the region's"
    )
    region = forms.CharField(
        max_length=2,
        required=False,
        help_text="Country for numbers without +; empty: the server's region",
    )
    kind = forms.ChoiceField(choices=OverrideKind.choices)
    label = forms.CharField(
        max_length=64,
        required=False,
        help_text='The name phones show, e.g. "Pharmacy reminder". Required for '
        "allow and identify.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Kept in the audit log.",
    )

    def clean_region(self) -> str:
        value = self.cleaned_data["region"].strip().upper()
        if value and value not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError("Not a supported country code.")
        return value

    def clean(self):
        data = super().clean()
        number = data.get("number")
        if number is not None and "region" in data:
            parsed = caller_id(number, data["region"] or None)
            if not parsed.is_valid:
                self.add_error("number", "Not a valid phone number.")
            else:
                data["e164"] = parsed.e164
        if data.get("kind") in LABELLED_KINDS and not data.get("label", "").strip():
            self.add_error("label", "Allow and identify need the name phones show.")
        return data


class OverrideLiftForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Kept in the audit log.",
    )


@admin.register(Override)
class OverrideAdmin(NumberSearchMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "label",
        "is_active",
        "created_at",
        "created_by",
        "lifted_at",
        "lifted_by",
    )
    list_filter = (ActiveFilter, "kind")
    search_fields = ("number", "label")
    ordering = ("-created_at",)
    list_select_related = ("created_by", "lifted_by")
    actions = ["lift"]
    change_form_template = "admin/reputation/override/change_form.html"
    fields = (
        "number",
        "kind",
        "label",
        "reason",
        "created_at",
        "created_by",
        "lifted_at",
        "lifted_by",
    )
    readonly_fields = fields

    @admin.display(boolean=True, description="active")
    def is_active(self, obj: Override) -> bool:
        return obj.is_active

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # Set a new override or lift this one instead.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Lifted overrides stay as the record.

    def has_lift_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_override")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="{}_{}_lift".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, *args) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            "admin:{}_{}_{}".format(*info, name),
            args=args,
            current_app=self.admin_site.name,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        override = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if override is not None and override.is_active:
            extra["can_lift"] = self.has_lift_permission(request, override)
            extra["lift_url"] = self._url("lift", override.pk)
        return super().change_view(request, object_id, form_url, extra)

    def add_view(self, request, form_url="", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied

        form = OverrideSetForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                override = override_set(
                    number=form.cleaned_data["e164"],
                    kind=form.cleaned_data["kind"],
                    label=form.cleaned_data["label"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.log_addition(request, override, [{"added": {}}])
                self.message_user(
                    request,
                    f"{override.get_kind_display()} set on {override.number}; it "
                    "takes effect with the next aggregation run.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url("change", override.pk))

        return form_page(
            self,
            request,
            title="Set an override",
            form=form,
            submit="Set the override",
            intro="An override beats the crowd's verdict until lifted and "
            "replaces any override active on the number.",
        )

    def lift_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        override = get_object_or_404(Override, pk=object_id)
        if not self.has_lift_permission(request, override):
            raise PermissionDenied

        if not override.is_active:
            self.message_user(request, "This override is already lifted.")
            return HttpResponseRedirect(self._url("change", override.pk))

        form = OverrideLiftForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                override_lift(
                    number=override.number,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.log_change(request, override, "Lifted.")
                self.message_user(
                    request,
                    f"Override on {override.number} lifted; the crowd's verdict "
                    "returns with the next aggregation run.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url("change", override.pk))

        return form_page(
            self,
            request,
            title=f"Lift the override on {override.number}",
            form=form,
            obj=override,
            submit="Lift",
            details=[
                ("Kind", override.get_kind_display()),
                ("Label", override.label or "-"),
                ("Set", override.created_at),
                ("Reason", override.reason),
            ],
        )

    @admin.action(description="Lift the selected override…", permissions=["lift"])
    def lift(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one override to lift.", messages.WARNING
            )
            return None
        return HttpResponseRedirect(self._url("lift", queryset.get().pk))
