from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.schema import RETRY_AFTER_HEADER, error_responses
from apps.core.throttling import IPRateThrottle, RegisterRateThrottle

from .selectors import device_get
from .serializers import (
    DeviceOutputSerializer,
    DeviceRegisteredOutputSerializer,
    DeviceRegisterInputSerializer,
    DeviceUpdateInputSerializer,
)
from .services import DeviceGone, device_erase, device_register, device_update


class DeviceRegisterView(APIView):
    """Register a phone anonymously; no credentials needed."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [IPRateThrottle, RegisterRateThrottle]

    @extend_schema(
        operation_id="devices_register",
        tags=["devices"],
        summary="Register this phone",
        description=(
            "Creates an anonymous device and answers its secret `token` once; "
            "only its hash is kept. Every other call sends it as "
            "`Authorization: Token <token>`."
        ),
        request=DeviceRegisterInputSerializer,
        responses={
            201: DeviceRegisteredOutputSerializer,
            **error_responses(400, 413, 415, 429),
        },
        parameters=[RETRY_AFTER_HEADER],
        auth=[],
    )
    def post(self, request):
        serializer = DeviceRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        device, secret = device_register(
            **serializer.validated_data, now=timezone.now()
        )

        body = {"token": secret, **DeviceOutputSerializer(device).data}
        return Response(body, status=status.HTTP_201_CREATED)


class DeviceMeView(APIView):
    """The calling device: show, change, erase."""

    @extend_schema(
        operation_id="devices_me_retrieve",
        tags=["devices"],
        summary="Show this device",
        responses={200: DeviceOutputSerializer, **error_responses(401, 429)},
        parameters=[RETRY_AFTER_HEADER],
    )
    def get(self, request):
        device = device_get(device_id=request.user.pk)
        if device is None:
            raise exceptions.AuthenticationFailed("Invalid token.")

        return Response(DeviceOutputSerializer(device).data)

    @extend_schema(
        operation_id="devices_me_update",
        tags=["devices"],
        summary="Change this device's settings",
        description=(
            "Only the fields sent change. A new `region` or `push_token` moves "
            "the push subscription to the region's topic in the background."
        ),
        request=DeviceUpdateInputSerializer,
        responses={
            200: DeviceOutputSerializer,
            **error_responses(400, 401, 413, 415, 429),
        },
        parameters=[RETRY_AFTER_HEADER],
    )
    def patch(self, request):
        serializer = DeviceUpdateInputSerializer(
            data=request.data, partial=True, context={"device": request.user}
        )
        serializer.is_valid(raise_exception=True)

        try:
            device = device_update(device=request.user, **serializer.validated_data)
        except DeviceGone as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc

        return Response(DeviceOutputSerializer(device).data)

    @extend_schema(
        operation_id="devices_me_erase",
        tags=["devices"],
        summary="Erase this device",
        description=(
            "Deletes the device's secret, push token, number, app version, "
            "personal block/allow list and the comments of its reports. The "
            "reports themselves stay, anonymous, so the reputations they fed "
            "do not change. The token stops working at once."
        ),
        request=None,
        responses={204: None, **error_responses(401, 429)},
        parameters=[RETRY_AFTER_HEADER],
    )
    def delete(self, request):
        device_erase(device=request.user)

        return Response(status=status.HTTP_204_NO_CONTENT)
