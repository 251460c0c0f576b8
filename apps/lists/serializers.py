from rest_framework import serializers

from apps.core.serializers import StrictCharField

from .models import Action, ListEntry

LABEL_MAX_LENGTH = 64


class ListEntryInputSerializer(serializers.Serializer):
    number = StrictCharField(
        max_length=64,
        help_text=(
            "One number in any format (normalised to E.164 for the device's "
            "region), or a range ending in '*': '+1 800 555*', or national "
            "digits of the region such as '800 555*'."
        ),
    )
    action = serializers.ChoiceField(choices=Action.choices)
    label = StrictCharField(
        max_length=LABEL_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own name for it, shown by the phone",
    )


class ListEntryOutputSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(
        help_text="E.164 number, or E.164 digits followed by '*' for a range"
    )

    class Meta:
        model = ListEntry
        fields = [
            "id",
            "number",
            "pattern",
            "is_prefix",
            "action",
            "label",
            "created_at",
        ]
        read_only_fields = fields

    def get_number(self, entry: ListEntry) -> str:
        return f"{entry.pattern}*" if entry.is_prefix else entry.pattern
