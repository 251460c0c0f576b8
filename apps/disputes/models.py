from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.reputation.models import Override, OverrideKind


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (DisputeStatus.OPEN, DisputeStatus.IN_REVIEW)


class Dispute(models.Model):
    """A claim that the crowd's verdict on a number is wrong.

    At most one dispute per number is open (or in review) at a time: a second
    filing joins it as another `DisputeContact`. Each status change is stamped
    with who and when on this row and written to the audit log.
    """

    reference = models.CharField(max_length=12, unique=True, editable=False)
    number = models.CharField(max_length=20, help_text="E.164")
    region = models.CharField(max_length=2, blank=True)
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    created_at = models.DateTimeField()
    review_started_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_kind = models.CharField(
        max_length=10, choices=OverrideKind.choices, blank=True
    )
    decision_label = models.CharField(max_length=64, blank=True)
    public_reason = models.TextField(
        blank=True, help_text="Shown to the disputants on their status page"
    )
    override = models.ForeignKey(
        Override,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The override an upheld dispute set",
    )
    internal_notes = models.TextField(
        blank=True, help_text="For reviewers only; never shown to the disputants"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(status__in=OPEN_STATUSES),
                name="dispute_one_open_per_number",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="dispute_queue_idx"),
            models.Index(fields=["number"], name="dispute_number_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DisputeContact(models.Model):
    """One person who filed (or joined) a dispute, with their secret link.

    The secret of the status link is shown once, in the filing answer and
    its email, and stored only as a SHA-256 hash.
    """

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    organization = models.CharField(max_length=150, blank=True)
    reason = models.TextField()
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    decision_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"contact {self.pk} on {self.dispute_id}"
