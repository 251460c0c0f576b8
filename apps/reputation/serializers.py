from rest_framework import serializers
from rest_framework.fields import SkipField

from apps.core.serializers import StrictCharField
from apps.devices.serializers import RegionField
from apps.numbers.normalize import Kind
from apps.reports.models import Category, Verification

from .models import Verdict

MAX_BATCH = 100
# Longer caller IDs are "not a number" anyway; this only bounds the work.
MAX_RAW_LENGTH = 256

_NUMBER_HELP = (
    "The caller ID as the phone received it, in any format: E.164, national "
    "digits of `region`, a tel: or sip: URI, or a withheld marker such as "
    "'Anonymous' or ''."
)
_REGION_HELP = "ISO 3166 country the phone received the call in; default: the device's."
_VERIFICATION_HELP = (
    "STIR/SHAKEN status the phone got for the call; `failed` adds the reason "
    "`verification_failed` and turns an `unknown` verdict into `warn`."
)


def _caller_id_field() -> StrictCharField:
    return StrictCharField(
        max_length=MAX_RAW_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_NUMBER_HELP,
    )


class LookupQuerySerializer(serializers.Serializer):
    number = _caller_id_field()
    region = RegionField(required=False, help_text=_REGION_HELP)
    verification = serializers.ChoiceField(
        choices=Verification.choices, required=False, help_text=_VERIFICATION_HELP
    )


class LookupBatchInputSerializer(serializers.Serializer):
    numbers = serializers.ListField(
        child=_caller_id_field(),
        min_length=1,
        max_length=MAX_BATCH,
        help_text=f"1 to {MAX_BATCH} caller IDs; answers come in the same order.",
    )
    region = RegionField(required=False, help_text=_REGION_HELP)
    verification = serializers.ChoiceField(
        choices=Verification.choices, required=False, help_text=_VERIFICATION_HELP
    )


class LookupCountsSerializer(serializers.Serializer):
    spam = serializers.IntegerField(help_text="Active spam votes")
    not_spam = serializers.IntegerField(help_text="Active not-spam votes")
    reporters = serializers.IntegerField(
        help_text="Distinct reporters: devices, and each FTC complaint"
    )
    recent = serializers.IntegerField(help_text="Votes on calls of the last 7 days")


class LookupResultSerializer(serializers.Serializer):
    number = serializers.CharField(
        allow_null=True,
        help_text="E.164 form; null for withheld caller IDs and non-numbers",
    )
    kind = serializers.ChoiceField(choices=[k.value for k in Kind])
    line_type = serializers.CharField(
        allow_null=True, help_text="mobile, fixed_line, toll_free, voip, ... or null"
    )
    verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        help_text="block: reject the call; warn: show a warning; allow; unknown",
    )
    score = serializers.FloatField(
        help_text="0 (clean) to 100: confidence-bounded share of spam votes"
    )
    label = serializers.CharField(
        allow_blank=True, help_text="What to show, e.g. 'Scam likely'; may be empty"
    )
    category = serializers.ChoiceField(
        choices=[*Category.values, ""], help_text="Leading category of spam votes"
    )
    counts = LookupCountsSerializer()
    last_reported_at = serializers.DateTimeField(allow_null=True)
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Short codes: crowd_reports, override, identify, personal_allow, "
            "personal_block, invalid_number (with the normaliser's reason: n11, "
            "fictional, area_code_not_in_service, too_short, ...), withheld, "
            "not_a_number, neighbour_spoof, verification_failed, burst_review"
        ),
    )


class LookupBatchOutputSerializer(serializers.Serializer):
    results = LookupResultSerializer(many=True)


_QUERY = LookupQuerySerializer()


def lookup_query_validate(query) -> dict:
    """`LookupQuerySerializer`'s validation, same fields and same errors,
    without building a serializer per request (DRF deep-copies every field
    of a new serializer, a large share of a cached lookup's time)."""
    values: dict = {}
    errors: dict = {}
    for name, field in _QUERY.fields.items():
        try:
            values[name] = field.run_validation(field.get_value(query))
        except SkipField:
            continue
        except serializers.ValidationError as exc:
            errors[name] = exc.detail
    if errors:
        raise serializers.ValidationError(errors)
    return values
