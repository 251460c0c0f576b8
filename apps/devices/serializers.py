import re

import phonenumbers
from rest_framework import serializers

from apps.core.serializers import StrictCharField

from .models import Device, Platform
from .own_number import OwnNumberError, own_number_normalize

PUSH_TOKEN_MAX_LENGTH = 4096
APP_VERSION_MAX_LENGTH = 32
_VISIBLE_ASCII_RE = re.compile(r"[\x21-\x7e]+")
_APP_VERSION_RE = re.compile(r"[\x20-\x7e]+")


class RegionField(StrictCharField):
    """An ISO 3166 country code that ``phonenumbers`` knows, in capitals."""

    default_error_messages = {"unknown": "Not a supported ISO 3166 country code."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("help_text", "ISO 3166 country of the phone, e.g. US")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        region = super().to_internal_value(data).upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            self.fail("unknown")
        return region


class _DeviceFields(serializers.Serializer):
    """Fields a phone may set, at registration and afterwards."""

    region = RegionField()
    app_version = StrictCharField(
        max_length=APP_VERSION_MAX_LENGTH,
        help_text="Version of the app, printable ASCII, e.g. 2.4.1 (311)",
    )
    phone_number = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=32,
        help_text=(
            "The phone's own number, or only its leading digits (4 to 15). "
            "Stored as + and E.164 digits; national digits get the region's "
            "country code. Empty or null: none."
        ),
    )
    push_token = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=PUSH_TOKEN_MAX_LENGTH,
        help_text="FCM registration token (printable ASCII). Empty or null: none.",
    )

    def validate_app_version(self, value: str) -> str:
        if not _APP_VERSION_RE.fullmatch(value):
            raise serializers.ValidationError("Use printable ASCII characters only.")
        return value

    def validate_push_token(self, value: str | None) -> str:
        if value and not _VISIBLE_ASCII_RE.fullmatch(value):
            raise serializers.ValidationError(
                "Use printable ASCII characters without spaces only."
            )
        return value or ""

    def validate(self, attrs: dict) -> dict:
        raw = attrs.get("phone_number")
        if "phone_number" in attrs:
            region = attrs.get("region") or self.context["device"].region
            try:
                attrs["phone_number"] = own_number_normalize(raw, region) if raw else ""
            except OwnNumberError as exc:
                raise serializers.ValidationError({"phone_number": [str(exc)]}) from exc
        return attrs


class DeviceRegisterInputSerializer(_DeviceFields):
    platform = serializers.ChoiceField(choices=Platform.choices)


class DeviceUpdateInputSerializer(_DeviceFields):
    """Used with ``partial=True``: only the fields sent change."""


class DeviceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = [
            "id",
            "platform",
            "region",
            "app_version",
            "phone_number",
            "push_token",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeviceRegisteredOutputSerializer(DeviceOutputSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text=(
            "The device's secret, shown only in this answer. Send it as "
            "`Authorization: Token <token>`."
        ),
    )

    class Meta(DeviceOutputSerializer.Meta):
        fields = ["token", *DeviceOutputSerializer.Meta.fields]
        read_only_fields = fields
