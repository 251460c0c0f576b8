"""Prometheus metrics, exposed only to the scraper's token or to staff.

Anyone else gets the same 404 as an unknown path: the endpoint's existence is
not advertised. The page holds django-prometheus's request and database
metrics, CallGuard's own (``apps.core.instruments``) and the gauges read from
the database at scrape time.
"""

import hmac
import os

import prometheus_client
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess

from .errors import json_error
from .instruments import QueueCollector

_scrape_time = prometheus_client.CollectorRegistry(auto_describe=False)
_scrape_time.register(QueueCollector())


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def _process_registry() -> prometheus_client.CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@never_cache
def metrics(request):
    if not _authorised(request):
        return json_error(request, 404, "not_found", "Not found.")
    if request.method not in {"GET", "HEAD"}:
        return json_error(
            request, 405, "method_not_allowed", "Use GET.", Allow="GET, HEAD"
        )
    page = prometheus_client.generate_latest(_process_registry())
    page += prometheus_client.generate_latest(_scrape_time)
    return HttpResponse(page, content_type=prometheus_client.CONTENT_TYPE_LATEST)
