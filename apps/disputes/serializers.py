from django.conf import settings
from rest_framework import serializers

from apps.core.serializers import SingleLineField, StrictCharField
from apps.devices.serializers import RegionField
from apps.numbers.normalize import Kind
from apps.numbers.selectors import caller_id

from .models import DisputeStatus

NUMBER_MAX_LENGTH = 64
_NUMBER_ERRORS = {
    Kind.WITHHELD: "A withheld caller ID cannot be disputed: give the number.",
    Kind.NOT_A_NUMBER: "This is not a phone number.",
    Kind.INVALID: "This cannot be a real phone number.",
}


class DisputeInputSerializer(serializers.Serializer):
    number = StrictCharField(
        max_length=NUMBER_MAX_LENGTH,
        help_text="The disputed number, in any common format, e.g. +1 415 555 2671",
    )
    region = RegionField(
        required=False,
        help_text="Country the number is dialled from when it has no +prefix; "
        "defaults to the server's region",
    )
    name = SingleLineField(max_length=150, help_text="Your name")
    email = serializers.EmailField(
        max_length=254, help_text="Where the status link and decision are sent"
    )
    organization = SingleLineField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text="The business or organisation behind the number, if any",
    )
    reason = StrictCharField(
        max_length=settings.DISPUTE_REASON_MAX_LENGTH,
        help_text="Why the number's verdict is wrong",
    )

    def validate(self, attrs: dict) -> dict:
        region = attrs.get("region") or settings.DEFAULT_REGION
        parsed = caller_id(attrs["number"], region)
        if not parsed.is_valid:
            raise serializers.ValidationError({"number": [_NUMBER_ERRORS[parsed.kind]]})

        attrs["e164"] = parsed.e164
        # Non-geographic numbers have a three-digit region code ("001").
        attrs["region"] = parsed.region if len(parsed.region or "") == 2 else ""
        return attrs


class DisputeFiledSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="Short code to quote, e.g. D-7KQ2M9")
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    status_url = serializers.URLField(
        help_text="Your private link to the dispute's status; keep it secret"
    )


class DisputeStatusSerializer(serializers.Serializer):
    """What the holder of a status link may see: nothing about people."""

    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    public_reason = serializers.CharField(
        help_text="Why the dispute was decided as it was; empty until decided"
    )
    filed_at = serializers.DateTimeField(source="created_at")
    review_started_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
