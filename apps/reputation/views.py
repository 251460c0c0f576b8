import time

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import instruments
from apps.core.schema import error_responses
from apps.core.serializers import ErrorSerializer

from .lookup import lookup_numbers
from .serializers import (
    LookupBatchInputSerializer,
    LookupBatchOutputSerializer,
    LookupQuerySerializer,
    LookupResultSerializer,
    lookup_query_validate,
)
from .throttles import LookupRateThrottle

RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429, 503],
    description="Seconds to wait before retrying.",
)
UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    "Neither the cache nor the database answered (code `service_unavailable`); "
    "`Retry-After` says when to retry. The phone decides on its own meanwhile.",
)

_RULES = (
    "Withheld → `unknown` [withheld]; not a number → `unknown` [not_a_number]; "
    "the device's own list next (allow beats block); an invalid +1 number → "
    "`block` [invalid_number, reason], invalid elsewhere → `warn`; then the "
    "crowd's reputation; a caller with the phone's own first six digits and "
    "no good record → at least `warn` [neighbour_spoof]."
)


class LookupView(APIView):
    """What to do with one incoming call."""

    throttle_classes = [LookupRateThrottle]

    @extend_schema(
        operation_id="lookup",
        tags=["lookup"],
        summary="Look up one caller",
        description=_RULES,
        parameters=[LookupQuerySerializer, RETRY_AFTER],
        responses={
            200: LookupResultSerializer,
            **error_responses(400, 401, 429),
            503: UNAVAILABLE,
        },
    )
    def get(self, request):
        started = time.monotonic()
        params = lookup_query_validate(request.query_params)

        [answer] = lookup_numbers(
            device=request.user,
            raws=[params["number"]],
            region=params.get("region"),
            verification=params.get("verification"),
        )

        instruments.lookup_observed(answer["verdict"], time.monotonic() - started)
        return Response(answer)


class LookupBatchView(APIView):
    """What to do with up to 100 callers, e.g. a call log being screened."""

    throttle_classes = [LookupRateThrottle]

    @extend_schema(
        operation_id="lookup_batch",
        tags=["lookup"],
        summary="Look up several callers",
        description=f"{_RULES} Answers come in the order of `numbers`.",
        request=LookupBatchInputSerializer,
        responses={
            200: LookupBatchOutputSerializer,
            **error_responses(400, 401, 413, 415, 429),
            503: UNAVAILABLE,
        },
        parameters=[RETRY_AFTER],
    )
    def post(self, request):
        started = time.monotonic()
        body = LookupBatchInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        params = body.validated_data
        answers = lookup_numbers(
            device=request.user,
            raws=params["numbers"],
            region=params.get("region"),
            verification=params.get("verification"),
        )

        # Each number counts once, at the batch's average time per number.
        each = (time.monotonic() - started) / max(len(answers), 1)
        for answer in answers:
            instruments.lookup_observed(answer["verdict"], each)
        return Response({"results": answers})
