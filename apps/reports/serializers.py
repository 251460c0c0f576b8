from datetime import UTC, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictBooleanField, StrictCharField

from .masking import comment_clean
from .models import Category, Report, Verification


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its UTC offset, returned in UTC.

    A time without an offset is refused rather than guessed: the phone knows
    its own zone and the server cannot.
    """

    default_error_messages = {
        "invalid": "Use ISO 8601 with a UTC offset, e.g. 2024-05-01T14:03:00Z.",
        "naive": "Include the UTC offset, e.g. 2024-05-01T14:03:00-04:00.",
        "overflow": "This date is out of range.",
    }

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if parsed.utcoffset() is None:
            self.fail("naive")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail("overflow")


class CommentField(StrictCharField):
    """Free text, without control characters, at most the configured length."""

    default_error_messages = {
        "too_long": "Ensure this field has no more than {max_length} characters."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = comment_clean(super().to_internal_value(data))
        limit = settings.REPORT_COMMENT_MAX_LENGTH
        if len(text) > limit:
            self.fail("too_long", max_length=limit)
        return text


class ReportCreateInputSerializer(serializers.Serializer):
    number = StrictCharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            "The caller ID exactly as the phone showed it (any format; the "
            "server normalises it with the device's region)."
        ),
    )
    category = serializers.ChoiceField(choices=Category.choices)
    called_at = AwareDateTimeField(
        help_text=(
            "When the call came, ISO 8601 with a UTC offset. At most "
            "REPORT_CLOCK_SKEW_SECONDS in the future, at most "
            "REPORT_MAX_AGE_DAYS in the past."
        )
    )
    verification = serializers.ChoiceField(
        choices=Verification.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=(
            "STIR/SHAKEN status the phone was given for the call; empty or "
            "null when it had none."
        ),
    )
    answered = StrictBooleanField(
        required=False, allow_null=True, help_text="Whether the call was picked up."
    )
    comment = CommentField(
        required=False,
        help_text=(
            "Free text, at most REPORT_COMMENT_MAX_LENGTH characters once "
            "control characters are removed. Phone numbers and email "
            "addresses in it are masked as [phone] and [email] before storage."
        ),
    )

    def validate_called_at(self, value):
        now = self.context["now"]
        if value > now + timedelta(seconds=settings.REPORT_CLOCK_SKEW_SECONDS):
            raise serializers.ValidationError("This time is in the future.")
        if value < now - timedelta(days=settings.REPORT_MAX_AGE_DAYS):
            raise serializers.ValidationError(
                f"Calls older than {settings.REPORT_MAX_AGE_DAYS} days cannot be "
                "reported."
            )
        return value


class ReportOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="E.164")
    verification = serializers.SerializerMethodField()
    active = serializers.BooleanField(
        read_only=True,
        help_text="Counts toward the number's reputation (false once superseded).",
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "number",
            "category",
            "called_at",
            "verification",
            "answered",
            "comment",
            "created_at",
            "active",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=Verification.choices, allow_null=True)
    )
    def get_verification(self, report: Report) -> str | None:
        return report.verification or None
