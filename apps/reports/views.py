import re

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import error_body
from apps.core.schema import RETRY_AFTER_HEADER, error_responses
from apps.core.throttling import (
    DeviceRateThrottle,
    IPRateThrottle,
    ReportRateThrottle,
)
from apps.devices.services import DeviceGone

from .selectors import report_for_device, reports_for_device
from .serializers import ReportCreateInputSerializer, ReportOutputSerializer
from .services import (
    IdempotencyKeyReused,
    NumberRejected,
    ReportNotFound,
    report_create,
    report_retract,
)

IDEMPOTENCY_KEY_MAX_LENGTH = 128
_IDEMPOTENCY_KEY_RE = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}")

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 128 printable ASCII characters (no spaces) chosen by the phone "
        "for this report. A retry with the same key answers the first report "
        "again and stores nothing new. Without a key, the same number and "
        "`called_at` from the same device count as a retry."
    ),
)


def _idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return ""
    if not _IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise exceptions.ValidationError(
            {
                "idempotency_key": [
                    "Use 1 to 128 printable ASCII characters without spaces."
                ]
            }
        )
    return key


class ReportListCreateView(generics.ListAPIView):
    """The calling device's reports: list them, file one."""

    serializer_class = ReportOutputSerializer
    throttle_classes = [DeviceRateThrottle, IPRateThrottle, ReportRateThrottle]

    def get_queryset(self):
        return reports_for_device(device_id=self.request.user.pk)

    @extend_schema(
        operation_id="reports_list",
        tags=["reports"],
        summary="List this device's reports",
        description=(
            "Newest first, cursor paginated. Retracted reports are left out; "
            "superseded ones are listed with `active: false`."
        ),
        responses={
            200: ReportOutputSerializer(many=True),
            **error_responses(400, 401, 404, 429),
        },
        parameters=[RETRY_AFTER_HEADER],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="reports_create",
        tags=["reports"],
        summary="Report a call",
        description=(
            "Files the device's report on a number. A new report on a number "
            "the device already reported replaces the earlier one, which stays "
            "listed with `active: false`. A retry (same `Idempotency-Key`, or "
            "same number and `called_at`) answers the first report again, "
            "also with 201, and stores nothing. A withheld caller ID is "
            "refused with code `withheld_number`; text that is not a number "
            "with `not_a_number` or `invalid_number`."
        ),
        request=ReportCreateInputSerializer,
        responses={
            201: ReportOutputSerializer,
            **error_responses(400, 401, 409, 413, 415, 429),
        },
        parameters=[IDEMPOTENCY_KEY_HEADER, RETRY_AFTER_HEADER],
    )
    def post(self, request):
        idempotency_key = _idempotency_key(request)
        now = timezone.now()
        serializer = ReportCreateInputSerializer(
            data=request.data, context={"now": now}
        )
        serializer.is_valid(raise_exception=True)

        try:
            report, _ = report_create(
                device_id=request.user.pk,
                idempotency_key=idempotency_key,
                now=now,
                **serializer.validated_data,
            )
        except NumberRejected as exc:
            body = error_body(exc.code, exc.message, {"number": [exc.message]})
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        except IdempotencyKeyReused:
            message = "This Idempotency-Key was used for a report of another call."
            body = error_body("idempotency_key_reused", message)
            return Response(body, status=status.HTTP_409_CONFLICT)
        except DeviceGone as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc

        return Response(
            ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED
        )


class ReportDetailView(APIView):
    """One of the calling device's reports."""

    @extend_schema(
        operation_id="reports_retrieve",
        tags=["reports"],
        summary="Show one report",
        responses={200: ReportOutputSerializer, **error_responses(401, 404, 429)},
        parameters=[RETRY_AFTER_HEADER],
    )
    def get(self, request, report_id: int):
        report = report_for_device(device_id=request.user.pk, report_id=report_id)
        if report is None:
            raise exceptions.NotFound()

        return Response(ReportOutputSerializer(report).data)

    @extend_schema(
        operation_id="reports_retract",
        tags=["reports"],
        summary="Retract a report",
        description=(
            "The report stops counting and leaves the list. Retracting it "
            "again answers 204 as well."
        ),
        request=None,
        responses={204: None, **error_responses(401, 404, 429)},
        parameters=[RETRY_AFTER_HEADER],
    )
    def delete(self, request, report_id: int):
        try:
            report_retract(
                device_id=request.user.pk, report_id=report_id, now=timezone.now()
            )
        except ReportNotFound as exc:
            raise exceptions.NotFound() from exc
        except DeviceGone as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc

        return Response(status=status.HTTP_204_NO_CONTENT)
