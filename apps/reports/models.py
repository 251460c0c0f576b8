from django.db import models
from django.db.models import Q

from apps.devices.models import Device


class Category(models.TextChoices):
    SCAM = "scam", "Scam"
    TELEMARKETING = "telemarketing", "Telemarketing"
    ROBOCALL = "robocall", "Robocall"
    DEBT_COLLECTOR = "debt_collector", "Debt collector"
    POLITICAL = "political", "Political"
    SURVEY = "survey", "Survey"
    NONPROFIT = "nonprofit", "Nonprofit"
    SPOOFED = "spoofed", "Spoofed"
    OTHER = "other", "Other"
    NOT_SPAM = "not_spam", "Not spam"


class Verification(models.TextChoices):
    """The STIR/SHAKEN status the phone was given for the call."""

    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NOT_VERIFIED = "not_verified", "Not verified"


class Source(models.TextChoices):
    APP = "app", "App user"
    FTC = "ftc", "FTC Do Not Call complaint"


class Report(models.Model):
    """One person's account of one call.

    A device has at most one *active* report per number: a new report on the
    same number supersedes the earlier one (``superseded_at``), and a
    retracted report is kept with ``retracted_at`` so aggregation can see the
    change. Only active rows count.
    """

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.APP)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    number = models.CharField(max_length=20, help_text="E.164")
    number_region = models.CharField(max_length=2, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    called_at = models.DateTimeField()
    created_at = models.DateTimeField()
    verification = models.CharField(
        max_length=16, choices=Verification.choices, blank=True
    )
    answered = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="Masked before storage")
    recorded_message = models.BooleanField(null=True, blank=True)
    consumer_area_code = models.CharField(max_length=3, blank=True)
    external_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    active = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "number", "called_at"],
                condition=Q(device__isnull=False),
                name="report_unique_call_per_device",
            ),
            models.UniqueConstraint(
                fields=["device", "idempotency_key"],
                condition=Q(device__isnull=False) & ~Q(idempotency_key=""),
                name="report_unique_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["device", "number"],
                condition=Q(device__isnull=False) & Q(active=True),
                name="report_one_active_vote",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="report_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["number", "called_at"],
                condition=Q(active=True),
                name="report_active_number_idx",
            ),
            models.Index(fields=["device", "-id"], name="report_device_idx"),
            models.Index(fields=["created_at"], name="report_created_idx"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.category})"

    @property
    def is_spam(self) -> bool:
        return self.category != Category.NOT_SPAM


class ReportChange(models.Model):
    """A number whose reports changed and whose reputation is due.

    Written in the same transaction as the report it follows (insert,
    supersede, retract, override). Aggregation consumes these rows inside its
    own transaction, so a change is either aggregated and deleted, or still
    here for the next run; its ``id`` is the watermark.
    """

    number = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"change {self.pk}"
