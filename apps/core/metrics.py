"""Prometheus metrics, exposed only to the scraper's token or to staff."""

import hmac

from django.conf import settings
from django_prometheus.exports import ExportToDjangoView

from .errors import json_error


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def metrics(request):
    if not _authorised(request):
        return json_error(request, 404, "not_found", "Not found.")
    return ExportToDjangoView(request)
