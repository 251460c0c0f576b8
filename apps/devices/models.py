import uuid

from django.db import models


class Platform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"


class Device(models.Model):
    """A phone running the app, registered anonymously.

    The device's secret token is shown once at registration and stored only
    as a SHA-256 hash. Erasing a device (``DELETE /devices/me/``) clears its
    personal data and secret but keeps this row, stripped, as the anonymous
    voter behind the reports it filed, so the reputation they fed is
    unchanged.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # NULL once erased: unique, and a blank string would collide.
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    platform = models.CharField(max_length=10, choices=Platform.choices)
    region = models.CharField(max_length=2, help_text="ISO 3166 country of the phone")
    app_version = models.CharField(max_length=32, blank=True)
    phone_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="The phone's own number or its leading digits, E.164 digits",
    )
    push_token = models.CharField(max_length=4096, blank=True)
    push_topic = models.CharField(
        max_length=64, blank=True, help_text="FCM topic the push token is subscribed to"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)
    # Track record, refreshed by aggregation: how often this device's votes
    # agreed or disagreed with the settled verdict of the numbers it reported.
    agreements = models.PositiveIntegerField(default=0)
    disagreements = models.PositiveIntegerField(default=0)
    trust = models.FloatField(
        default=1.0, help_text="Track-record factor in [0, 1] applied to its votes"
    )

    class Meta:
        indexes = [models.Index(fields=["region"], name="device_region_idx")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} device {self.id}"

    @property
    def is_authenticated(self) -> bool:  # DRF treats request.user through this
        return True

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
