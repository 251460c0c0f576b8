from django.conf import settings
from django.db import models
from django.db.models import Q


class Verdict(models.TextChoices):
    BLOCK = "block", "Block"
    WARN = "warn", "Warn"
    ALLOW = "allow", "Allow"
    UNKNOWN = "unknown", "Unknown"


class Reputation(models.Model):
    """The crowd's settled view of one number, written only by aggregation.

    ``verdict`` is the published verdict: it changes only when the score
    crosses a step, so drift inside a step sends phones nothing.
    """

    number = models.CharField(max_length=20, primary_key=True, help_text="E.164")
    region = models.CharField(max_length=2, blank=True, db_index=True)
    score = models.FloatField(default=0.0, help_text="0 (clean) to 100 (certain spam)")
    verdict = models.CharField(
        max_length=8, choices=Verdict.choices, default=Verdict.UNKNOWN
    )
    label = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=16, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    spam_count = models.PositiveIntegerField(default=0)
    not_spam_count = models.PositiveIntegerField(default=0)
    reporters = models.PositiveIntegerField(default=0)
    recent_count = models.PositiveIntegerField(default=0)
    spam_weight = models.FloatField(default=0.0)
    not_spam_weight = models.FloatField(default=0.0)
    activity = models.FloatField(
        default=0.0, help_text="Recent activity (short half-life), ranks block lists"
    )
    failed_verification_share = models.FloatField(default=0.0)
    neighbour_spoof_share = models.FloatField(default=0.0)
    flagged_for_review = models.BooleanField(default=False)
    first_reported_at = models.DateTimeField(null=True, blank=True)
    last_reported_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["verdict", "region"], name="reputation_verdict_idx"),
            models.Index(
                fields=["flagged_for_review"],
                condition=Q(flagged_for_review=True),
                name="reputation_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.verdict}"


class OverrideKind(models.TextChoices):
    ALLOW = "allow", "Allow (verified caller)"
    IDENTIFY = "identify", "Identify only (label shown, never blocked)"
    BLOCK = "block", "Block"


class Override(models.Model):
    """A staff decision on a number that beats the crowd until lifted."""

    number = models.CharField(max_length=20, help_text="E.164")
    kind = models.CharField(max_length=10, choices=OverrideKind.choices)
    label = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(lifted_at__isnull=True),
                name="override_one_active_per_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AggregationState(models.Model):
    """The single row aggregation locks while it runs, and its watermark."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_change_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_full_run_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"aggregation state (watermark {self.last_change_id})"
