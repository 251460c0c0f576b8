"""One JSON error shape for every 4xx and 5xx the API answers.

    {"error": {"code": "invalid", "message": "...", "fields": {"number": ["..."]}}}

``code`` is a stable machine-readable string; ``message`` is for people;
``fields`` (only for validation errors) maps each bad field to its messages.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

TOO_LARGE_MESSAGE = "The request body is larger than the server accepts."


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail) -> dict | list | str:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def api_exception_handler(exc, context) -> Response | None:
    """DRF's handler, reshaped into the common error body."""
    if isinstance(exc, RequestDataTooBig):
        # Django raises it (a SuspiciousOperation, so a plain 400 otherwise)
        # when DRF reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
        return Response(
            error_body("request_too_large", TOO_LARGE_MESSAGE),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # Not an API error: ServiceUnavailableMiddleware or a 500.

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        fields = _flatten(fields)
        non_field = fields.get("non_field_errors") if isinstance(fields, dict) else None
        message = str(non_field[0]) if non_field else "The request has invalid fields."
        response.data = error_body("invalid", message, fields)
        return response

    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = getattr(exc, "default_code", "error")
    detail = getattr(exc, "detail", str(exc))
    response.data = error_body(code, str(detail))
    return response


def json_error(request, status_code: int, code: str, message: str, **headers):
    response = JsonResponse(error_body(code, message), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


# Django-level handlers, for errors raised outside DRF views (bad bodies, unknown
# paths, crashes): the same shape, never an HTML page.


def too_large(request):
    """413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, wherever caught."""
    return json_error(
        request,
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        TOO_LARGE_MESSAGE,
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return json_error(
        request, status.HTTP_400_BAD_REQUEST, "bad_request", "Bad request."
    )


def permission_denied(request, exception=None):
    return json_error(
        request, status.HTTP_403_FORBIDDEN, "permission_denied", "Forbidden."
    )


def not_found(request, exception=None):
    return json_error(request, status.HTTP_404_NOT_FOUND, "not_found", "Not found.")


def server_error(request):
    return json_error(
        request, status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", "Server error."
    )
