"""Turn an unreachable database or cache into a 503 the phone can retry."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from rest_framework import status

from .errors import json_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error(
                "database unavailable: %s",
                type(exception).__name__,
                extra={"path": request.path},
            )
            return json_error(
                request,
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "service_unavailable",
                "A backing service is unavailable; retry shortly.",
                Retry_After=RETRY_AFTER_SECONDS,
            )
        if isinstance(exception, DatabaseError):
            logger.exception("database error", extra={"path": request.path})
        return None
