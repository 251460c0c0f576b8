"""Request bodies and clients shared by the report tests."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

URL = "/api/v1/reports/"


def report_body(**overrides) -> dict:
    """A valid report on a valid US number, called an hour ago."""
    body = {
        "number": "(415) 555-2671",
        "category": "scam",
        "called_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "verification": "failed",
        "answered": True,
        "comment": "Said my car warranty expired",
    }
    body.update(overrides)
    return body


def client_for(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client
