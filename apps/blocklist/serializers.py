"""The block-list query, and the answer's shape for the schema.

The answer itself is written by hand in ``selectors`` (a million entries do
not go through a serializer); the output serializers here only describe it.
"""

from rest_framework import serializers

from apps.devices.serializers import RegionField

from .models import Action


class BlocklistQuerySerializer(serializers.Serializer):
    region = RegionField(
        required=False,
        help_text=(
            "ISO 3166 country of the phone; default: the device's region. "
            "Every region sharing a calling code reads one list (CA, PR... "
            "read US); the answer names it."
        ),
    )
    since = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=(
            "The version the phone holds. Missing, unknown, in the future or "
            "older than the deltas kept: the full list is answered."
        ),
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "Most entries the phone can hold. It gets the top entries of the "
            "largest tier not above this (the answer's `limit`); below the "
            "smallest tier is refused. Default: the whole list."
        ),
    )


class BlocklistEntrySerializer(serializers.Serializer):
    number = serializers.IntegerField(
        help_text="E.164 digits without the +, a 64-bit integer (14155552671)"
    )
    action = serializers.ChoiceField(choices=Action.choices)
    label = serializers.CharField(
        allow_blank=True, help_text="Shown on the call screen"
    )


class _BlocklistAnswerSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="The list's region")
    version = serializers.IntegerField(help_text="Send it back as `since` next time")
    limit = serializers.IntegerField(help_text="The tier answered: most entries held")
    full = serializers.BooleanField()


class BlocklistFullSerializer(_BlocklistAnswerSerializer):
    entries = BlocklistEntrySerializer(
        many=True, help_text="The whole list, ascending by number"
    )


class BlocklistDeltaSerializer(_BlocklistAnswerSerializer):
    since = serializers.IntegerField(help_text="The version the delta starts from")
    added = BlocklistEntrySerializer(
        many=True,
        help_text="Entries to insert or replace, ascending by number",
    )
    removed = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Numbers to delete, ascending; never also in `added`",
    )
