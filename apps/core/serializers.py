"""Serializers shared by every app: the common error body, for the schema."""

import unicodedata

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable error code")
    message = serializers.CharField(help_text="Human-readable explanation")
    fields = serializers.DictField(
        required=False,
        help_text=(
            "Only for validation errors: each bad field mapped to its list of messages"
        ),
    )


class ErrorSerializer(serializers.Serializer):
    """``{"error": {"code": str, "message": str, "fields": object}}``."""

    error = ErrorDetailSerializer()


class StrictCharField(serializers.CharField):
    """A string field that takes JSON strings only, never numbers or booleans.

    DRF's ``CharField`` turns ``12`` into ``"12"``; a phone number sent as a
    JSON number has already lost its leading zeros or ``+``, so it is refused.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SingleLineField(StrictCharField):
    """A short single-line text, such as a person's name, that goes into
    emails and the admin: no line breaks, control characters or invisible
    formatting (bidirectional overrides could disguise what it says)."""

    default_error_messages = {
        "control": "Must be a single line of visible text.",
    }

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(
            unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in value
        ):
            self.fail("control")
        return value


class StrictBooleanField(serializers.BooleanField):
    """``true``, ``false`` (and ``null`` when allowed), not ``"yes"`` or ``1``."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
