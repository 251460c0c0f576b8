"""Reads about reports."""

from django.db.models import QuerySet

from .models import Report

# The largest id a bigint column holds; a larger one in a URL finds nothing.
_MAX_ID = 2**63 - 1


def reports_for_device(*, device_id) -> QuerySet[Report]:
    """The device's reports that it has not retracted, superseded ones too."""
    return Report.objects.filter(device_id=device_id, retracted_at__isnull=True)


def report_for_device(*, device_id, report_id: int) -> Report | None:
    """One of the device's not retracted reports, or ``None``."""
    if not 0 < report_id <= _MAX_ID:
        return None
    return reports_for_device(device_id=device_id).filter(pk=report_id).first()
