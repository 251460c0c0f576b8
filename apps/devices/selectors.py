"""Reads about devices."""

from .models import Device


def device_get(*, device_id) -> Device | None:
    """The live (not erased) device, read from the database."""
    return Device.objects.filter(pk=device_id, erased_at__isnull=True).first()
