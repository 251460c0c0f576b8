"""OpenAPI pieces every endpoint shares: its error answers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer

_ERROR_DESCRIPTIONS = {
    400: "Invalid input (code `invalid`, `parse_error`, or a more specific "
    "code); `fields` maps each bad field to its messages.",
    401: "No device token, or one that is malformed, unknown or erased "
    "(code `not_authenticated` or `authentication_failed`).",
    404: "No such object, or it belongs to another device (code `not_found`).",
    409: "The request conflicts with an earlier one; the code says how (e.g. "
    "`idempotency_key_reused`: the key was used for a report of another call).",
    413: "The request body is larger than the limit (code `request_too_large`).",
    415: "The body is not `application/json` (code `unsupported_media_type`).",
    429: "Too many requests (code `throttled`); `Retry-After` says how many "
    "seconds to wait.",
}

RETRY_AFTER_HEADER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before retrying.",
)


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """``extend_schema(responses=...)`` entries for the given error statuses."""
    return {
        status: OpenApiResponse(ErrorSerializer, _ERROR_DESCRIPTIONS[status])
        for status in statuses
    }
