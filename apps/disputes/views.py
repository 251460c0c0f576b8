"""The public side of disputes: file one, and follow it by its secret link."""

import logging

from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.schema import RETRY_AFTER_HEADER, error_responses
from apps.core.serializers import ErrorSerializer
from apps.core.throttling import IPRateThrottle

from .emails import dispute_status_url
from .serializers import (
    DisputeFiledSerializer,
    DisputeInputSerializer,
    DisputeStatusSerializer,
)
from .services import dispute_file, dispute_for_secret
from .throttling import DisputeIPRateThrottle, DisputeNumberRateThrottle

logger = logging.getLogger(__name__)


class DisputeCreateView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # The per-number limit counts only valid filings (see post): otherwise
    # anyone could use up a number's allowance with bad requests and lock its
    # owner out.
    throttle_classes = [DisputeIPRateThrottle]

    @extend_schema(
        operation_id="dispute_create",
        summary="Dispute the verdict on a number",
        description=(
            "For the owner of a number the apps wrongly block or warn about. "
            "No device token. One dispute per number is open at a time: a "
            "second filing joins it, with the same reference and its own "
            "status link. The filer is emailed the link."
        ),
        auth=[],
        request=DisputeInputSerializer,
        parameters=[RETRY_AFTER_HEADER],
        responses={
            201: DisputeFiledSerializer,
            **error_responses(400, 413, 415),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many disputes from this address or about this "
                "number (code `throttled`); `Retry-After` says how many seconds "
                "to wait.",
            ),
        },
        tags=["disputes"],
    )
    def post(self, request):
        serializer = DisputeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        per_number = DisputeNumberRateThrottle()
        if not per_number.allow_request(request, self):
            self.throttled(request, per_number.wait())

        filed = dispute_file(
            number=data["e164"],
            region=data["region"],
            name=data["name"],
            email=data["email"],
            organization=data["organization"],
            reason=data["reason"],
            now=timezone.now(),
        )

        body = DisputeFiledSerializer(
            {
                "reference": filed.dispute.reference,
                "status": filed.dispute.status,
                "status_url": dispute_status_url(filed.secret),
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


@method_decorator(never_cache, name="dispatch")
class DisputeStatusView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [IPRateThrottle]

    @extend_schema(
        operation_id="dispute_status",
        summary="The status of a dispute, by its secret link",
        description=(
            "Status, public reason and timestamps only: never who filed or "
            "who reviewed it."
        ),
        auth=[],
        parameters=[RETRY_AFTER_HEADER],
        responses={200: DisputeStatusSerializer, **error_responses(404, 429)},
        tags=["disputes"],
    )
    def get(self, request, secret: str):
        dispute = dispute_for_secret(secret=secret) if len(secret) <= 64 else None
        if dispute is None:
            raise Http404

        return Response(DisputeStatusSerializer(dispute).data)
