"""The dispute queue: reviewers take disputes in review and decide them.

Decisions go through `apps.disputes.services` only, from the buttons on a
dispute's page or the queue's actions; the change form itself edits nothing
but the internal notes.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from apps.audit.selectors import audit_trail
from apps.core.admin import NumberSearchMixin, form_add_errors, form_page

from .charts import bar_chart
from .forms import RejectForm, ReviewForm, UpholdForm
from .models import OPEN_STATUSES, Dispute, DisputeContact, DisputeStatus
from .selectors import DISPUTE_AGE_BUCKETS, age_condition, number_evidence
from .services import dispute_reject, dispute_take_in_review, dispute_uphold

# Undecided disputes first, then the oldest first: the head of the queue is
# the dispute that has waited longest.
QUEUE_ORDER = Case(
    When(status__in=OPEN_STATUSES, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


class AgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [(str(i), label) for i, (label, _, _) in enumerate(DISPUTE_AGE_BUCKETS)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            _, low, high = DISPUTE_AGE_BUCKETS[int(self.value())]
        except (ValueError, IndexError):
            return queryset.none()

        return queryset.filter(age_condition("created_at", timezone.now(), low, high))


class DisputeContactInline(admin.TabularInline):
    model = DisputeContact
    fields = ("name", "email", "organization", "reason", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(NumberSearchMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "number",
        "status",
        "waiting",
        "filers",
        "created_at",
        "reviewer",
        "decided_at",
    )
    list_filter = ("status", AgeFilter)
    search_fields = ("reference", "number")
    ordering = (QUEUE_ORDER.asc(), "created_at")
    list_select_related = ("reviewer",)
    list_per_page = 50
    inlines = [DisputeContactInline]
    actions = ["take_in_review", "uphold", "reject"]
    change_form_template = "admin/disputes/dispute/change_form.html"
    fieldsets = (
        (None, {"fields": ("reference", "number", "region", "status", "created_at")}),
        (
            "Review",
            {
                "fields": (
                    "reviewer",
                    "review_started_at",
                    "decided_by",
                    "decided_at",
                    "decision_kind",
                    "decision_label",
                    "public_reason",
                    "override",
                )
            },
        ),
        ("Internal", {"fields": ("internal_notes",)}),
    )
    readonly_fields = (
        "reference",
        "number",
        "region",
        "status",
        "created_at",
        "reviewer",
        "review_started_at",
        "decided_by",
        "decided_at",
        "decision_kind",
        "decision_label",
        "public_reason",
        "override",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(filer_count=Count("contacts"))

    @admin.display(description="waiting")
    def waiting(self, obj: Dispute) -> str:
        end = obj.decided_at or timezone.now()
        return timesince(obj.created_at, end, depth=1)

    @admin.display(description="filers", ordering="filer_count")
    def filers(self, obj: Dispute) -> int:
        return obj.filer_count

    def save_model(self, request, obj, form, change) -> None:
        # Only the notes are editable here; writing every column would undo a
        # decision taken since this page was loaded.
        obj.save(update_fields=["internal_notes"])

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # Disputes come from the public API.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # A decided dispute is part of the record.

    def has_decide_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_uphold_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj) and request.user.has_perm(
            "reputation.add_override"
        )

    # --- URLs and pages -----------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/review/",
                wrap(self.review_view),
                name="{}_{}_review".format(*info),
            ),
            path(
                "<path:object_id>/uphold/",
                wrap(self.uphold_view),
                name="{}_{}_uphold".format(*info),
            ),
            path(
                "<path:object_id>/reject/",
                wrap(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, dispute: Dispute) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            "admin:{}_{}_{}".format(*info, name),
            args=[dispute.pk],
            current_app=self.admin_site.name,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dispute = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if dispute is not None:
            evidence = number_evidence(dispute.number)
            extra.update(
                evidence=evidence,
                evidence_chart=bar_chart(evidence.days),
                history=audit_trail(
                    number=dispute.number,
                    target_type="dispute",
                    target_id=str(dispute.pk),
                )[:50],
                can_review=dispute.status == DisputeStatus.OPEN
                and self.has_decide_permission(request, dispute),
                can_decide=dispute.is_open
                and self.has_decide_permission(request, dispute),
                can_uphold=dispute.is_open
                and self.has_uphold_permission(request, dispute),
                review_url=self._url("review", dispute),
                uphold_url=self._url("uphold", dispute),
                reject_url=self._url("reject", dispute),
            )
        return super().change_view(request, object_id, form_url, extra)

    def _dispute_for(self, request: HttpRequest, object_id: str, *, uphold=False):
        dispute = get_object_or_404(self.get_queryset(request), pk=object_id)
        allowed = (
            self.has_uphold_permission(request, dispute)
            if uphold
            else self.has_decide_permission(request, dispute)
        )
        if not allowed:
            raise PermissionDenied
        return dispute

    def _done(self, request, dispute: Dispute, message: str) -> HttpResponse:
        # Also in the admin's "Recent actions"; the audit log is the record.
        self.log_change(request, dispute, message)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", dispute))

    def _details(self, dispute: Dispute):
        return [
            ("Reference", dispute.reference),
            ("Number", dispute.number),
            ("Status", dispute.get_status_display()),
            ("Filed", dispute.created_at),
        ]

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        dispute = self._dispute_for(request, object_id)
        form = ReviewForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                dispute = dispute_take_in_review(
                    dispute=dispute, actor=request.user, now=timezone.now()
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return self._done(
                    request, dispute, f"{dispute.reference} is now in your review."
                )

        return form_page(
            self,
            request,
            title=f"Take {dispute.reference} in review",
            form=form,
            obj=dispute,
            submit="Take in review",
            details=self._details(dispute),
        )

    def uphold_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        dispute = self._dispute_for(request, object_id, uphold=True)
        form = UpholdForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                dispute = dispute_uphold(
                    dispute=dispute,
                    kind=form.cleaned_data["kind"],
                    label=form.cleaned_data["label"],
                    public_reason=form.cleaned_data["public_reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return self._done(
                    request,
                    dispute,
                    f"{dispute.reference} upheld: {dispute.number} gets a "
                    f"{dispute.get_decision_kind_display().lower()} override "
                    "from the next aggregation run.",
                )

        return form_page(
            self,
            request,
            title=f"Uphold {dispute.reference}",
            form=form,
            obj=dispute,
            submit="Uphold and set the override",
            intro="The override beats the crowd's verdict until it is lifted; "
            "every disputant is emailed the public reason.",
            details=self._details(dispute),
        )

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        dispute = self._dispute_for(request, object_id)
        form = RejectForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                dispute = dispute_reject(
                    dispute=dispute,
                    public_reason=form.cleaned_data["public_reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return self._done(
                    request,
                    dispute,
                    f"{dispute.reference} rejected; the verdict stays.",
                )

        return form_page(
            self,
            request,
            title=f"Reject {dispute.reference}",
            form=form,
            obj=dispute,
            submit="Reject",
            intro="The crowd's verdict stays; every disputant is emailed the "
            "public reason.",
            details=self._details(dispute),
        )

    # --- Queue actions ------------------------------------------------------

    @admin.action(
        description="Take selected disputes in review", permissions=["decide"]
    )
    def take_in_review(self, request, queryset):
        now = timezone.now()
        taken, skipped = [], []
        for dispute in queryset.order_by("pk"):
            try:
                dispute_take_in_review(dispute=dispute, actor=request.user, now=now)
            except ValidationError:
                skipped.append(dispute.reference)
            else:
                self.log_change(request, dispute, "Taken in review.")
                taken.append(dispute.reference)
        if taken:
            self.message_user(
                request, f"In your review: {', '.join(taken)}.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"Not open, left as they were: {', '.join(skipped)}.",
                messages.WARNING,
            )

    def _one(self, request, queryset, name: str) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one dispute to decide.", messages.WARNING
            )
            return None
        return HttpResponseRedirect(self._url(name, queryset.get()))

    @admin.action(description="Uphold the selected dispute…", permissions=["uphold"])
    def uphold(self, request, queryset):
        return self._one(request, queryset, "uphold")

    @admin.action(description="Reject the selected dispute…", permissions=["decide"])
    def reject(self, request, queryset):
        return self._one(request, queryset, "reject")
