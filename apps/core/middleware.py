"""Turn an unreachable database or cache into a 503 the phone can retry,
and refuse oversized API bodies before anything reads them."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import status

from .errors import json_error, too_large

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Code paths that read Redis are meant to fall back on their own; one
        # that does not answers 503 rather than 500 while Redis is down.
        unavailable = (
            OperationalError,
            InterfaceError,
            RedisConnectionError,
            RedisTimeoutError,
        )
        if isinstance(exception, unavailable):
            logger.error(
                "backing service unavailable: %s",
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


class JsonApiErrorsMiddleware:
    """Every error under ``/api/`` is JSON, even Django's own pages.

    With DEBUG on (``make run``) Django answers an unknown URL or a crash
    with an HTML debug page, whatever the handlers say; a phone or a script
    reading the API gets the common error shape instead. The traceback still
    goes to the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _GENERIC_ERRORS.get(
                response.status_code, ("error", "The request failed.")
            )
            replacement = json_error(request, response.status_code, code, message)
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


_GENERIC_ERRORS = {
    400: ("bad_request", "Bad request."),
    403: ("permission_denied", "Forbidden."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    500: ("server_error", "Server error."),
}


class RequestSizeLimitMiddleware:
    """413 for an API body whose Content-Length is over the limit, before
    any URL or view is looked at (an unknown path included).

    A body that overflows while being read (chunked, or a lying length) is
    caught where Django raises: apps/core/errors.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return too_large(request)
        return self.get_response(request)
