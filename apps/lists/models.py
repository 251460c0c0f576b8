from django.db import models

from apps.devices.models import Device


class Action(models.TextChoices):
    BLOCK = "block", "Block"
    ALLOW = "allow", "Allow"


class ListEntry(models.Model):
    """A device's own rule: one exact number, or every number under a prefix.

    ``pattern`` is E.164 digits with a leading ``+``; ``is_prefix`` marks a
    range such as ``+1800555*`` (stored without the star).
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="rules")
    pattern = models.CharField(max_length=20)
    is_prefix = models.BooleanField(default=False)
    action = models.CharField(max_length=8, choices=Action.choices)
    label = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["device", "pattern", "is_prefix"], name="list_unique_pattern"
            )
        ]
        indexes = [models.Index(fields=["device", "-id"], name="list_device_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.pattern}{'*' if self.is_prefix else ''}"
