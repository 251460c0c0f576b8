"""Liveness and readiness probes, and the benchmarks' do-nothing view."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """The process is alive and serving; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        return False


def _redis_ok() -> bool | None:
    """True or False; None when no Redis is configured (the embedded default)."""
    if not settings.REDIS_URL:
        return None
    try:
        cache.set("readyz", "1", timeout=5)
        return cache.get("readyz") == "1"
    except Exception:
        logger.warning("readiness: redis unreachable", exc_info=True)
        return False


_STATES = {True: "ok", False: "failing", None: "not_configured"}


@never_cache
@require_GET
def readyz(request):
    """Database and Redis reachable: 200; otherwise 503 naming what failed."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    failing = [name for name, ok in checks.items() if ok is False]
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: _STATES[ok] for name, ok in checks.items()},
    }
    if failing:
        body["failing"] = failing
        response = JsonResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse(body)


class PingView(APIView):
    """The framework's floor: a DRF view that does nothing.

    No authentication, permission or throttle; benchmarks compare the lookup
    against it on the same server (bench/lookup.py).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request):
        return Response({"status": "ok"})
