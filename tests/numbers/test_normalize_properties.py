# ruff: noqa: RUF001  (look-alike digits and letters are the point here)
"""Property-based tests for `apps.numbers.normalize` (hypothesis)."""

import re
import sys
import unicodedata

import phonenumbers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from apps.numbers.normalize import (
    MAX_INPUT_LENGTH,
    CallerId,
    Kind,
    Reason,
    normalize,
)

FAST = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NUMBER_TYPES = [
    getattr(PhoneNumberType, name) for name in dir(PhoneNumberType) if name.isupper()
]


def _example_numbers() -> list[phonenumbers.PhoneNumber]:
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in NUMBER_TYPES:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                examples.append(example)
    return examples


EXAMPLES = _example_numbers()

_N11 = re.compile(r"[2-9]11")


def _breaks_nanp_rules(number: phonenumbers.PhoneNumber) -> bool:
    """N11 area code/exchange or 555-01XX: valid for phonenumbers, not for us."""
    if number.country_code != 1:
        return False
    national = phonenumbers.national_significant_number(number)
    area_code, exchange, line = national[:3], national[3:6], national[6:]
    fictional = exchange == "555" and line.startswith("01")
    return bool(_N11.fullmatch(area_code) or _N11.fullmatch(exchange)) or fictional


@st.composite
def valid_numbers(draw: st.DrawFn) -> phonenumbers.PhoneNumber:
    """An example number with its last 1-4 digits replaced, still valid."""
    example = draw(st.sampled_from(EXAMPLES))
    national = phonenumbers.national_significant_number(example)
    replaced = draw(st.integers(1, min(4, len(national) - 1)))
    tail = draw(st.text("0123456789", min_size=replaced, max_size=replaced))
    keep = len(national) - replaced
    candidate = phonenumbers.parse(f"+{example.country_code}{national[:keep]}{tail}")
    assume(phonenumbers.is_valid_number(candidate))
    assume(not _breaks_nanp_rules(candidate))
    return candidate


@FAST
@given(valid_numbers(), st.sampled_from(["US", "GB", "DE", None]))
def test_every_format_of_a_valid_number_normalises_to_its_e164(
    number: phonenumbers.PhoneNumber, foreign_region: str | None
) -> None:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    own_region = phonenumbers.region_code_for_number(number)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    rfc3966 = phonenumbers.format_number(number, PhoneNumberFormat.RFC3966)

    results = {
        "national": normalize(national, own_region),
        "international": normalize(international, foreign_region),
        "e164": normalize(e164, foreign_region),
        "rfc3966": normalize(rfc3966, foreign_region),
    }
    for style, result in results.items():
        assert result.kind is Kind.VALID, (style, result)
        assert result.e164 == e164, (style, result)
    assert len(set(results.values())) == 1


def _check_invariants(result: CallerId) -> None:
    assert isinstance(result, CallerId)
    assert isinstance(result.kind, Kind)
    if result.kind is Kind.VALID:
        assert result.reason is None
        assert result.line_type is not None
        assert result.e164 is not None
    else:
        assert result.line_type is None
    if result.kind is Kind.WITHHELD:
        assert result.reason is None
    if result.kind in (Kind.INVALID, Kind.NOT_A_NUMBER):
        assert isinstance(result.reason, Reason)
    if result.kind in (Kind.WITHHELD, Kind.NOT_A_NUMBER):
        assert result.e164 is None
    if result.e164 is not None:
        assert re.fullmatch(r"\+[1-9][0-9]+", result.e164), result
        assert result.digits == result.e164[1:]


ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=sys.maxunicode)
PHONEISH = st.text(
    st.sampled_from(
        list("0123456789+-().  #*;=@:xX/")
        + list("AaNnOoTtEeLlSsIiPp")
        + [
            "\u200b",
            "\u00a0",
            "\ufeff",
            "\u00ad",
            "٤",
            "۴",
            "४",
            "４",
            "\x00",
            "\U0001f4a9",
        ]
    ),
    max_size=40,
)
ARBITRARY_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=80),
    st.text(max_size=80),
    PHONEISH,
    st.binary(max_size=80).map(lambda raw: raw.decode("latin-1")),
    st.binary(max_size=80).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.builds(
        lambda scheme, rest: scheme + rest,
        st.sampled_from(["tel:", "sip:", "SIPS:", "<sip:", '"x" <sip:']),
        PHONEISH,
    ),
)
ANY_REGION = st.one_of(
    st.none(),
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
    st.text(max_size=4),
    st.integers(),
)


@settings(max_examples=1500, deadline=None)
@given(ARBITRARY_TEXT, ANY_REGION)
def test_arbitrary_text_never_raises(raw: str, region: object) -> None:
    _check_invariants(normalize(raw, region))  # type: ignore[arg-type]


def _digit_zeros() -> list[str]:
    """The zero of every Unicode script with a contiguous 0-9 decimal run."""
    zeros = []
    for code in range(0x80, sys.maxunicode - 9):
        char = chr(code)
        if unicodedata.decimal(char, None) == 0 and all(
            unicodedata.decimal(chr(code + offset), None) == offset
            for offset in range(10)
        ):
            zeros.append(char)
    return zeros


DIGIT_ZEROS = _digit_zeros()


def _transliterate(text: str, zero: str) -> str:
    base = ord(zero)
    return re.sub(r"[0-9]", lambda match: chr(base + int(match.group())), text)


def _formatted_numbers(number: phonenumbers.PhoneNumber) -> list[str]:
    return [
        phonenumbers.format_number(number, style)
        for style in (
            PhoneNumberFormat.E164,
            PhoneNumberFormat.INTERNATIONAL,
            PhoneNumberFormat.NATIONAL,
            PhoneNumberFormat.RFC3966,
        )
    ]


TEXT_WITH_DIGITS = st.one_of(
    PHONEISH,
    valid_numbers().flatmap(lambda number: st.sampled_from(_formatted_numbers(number))),
    st.text(max_size=30).map(lambda text: text + "4155552671"),
    st.text(ANY_CHARACTER, max_size=MAX_INPUT_LENGTH),
)


@FAST
@given(TEXT_WITH_DIGITS, st.sampled_from(DIGIT_ZEROS), st.sampled_from(["US", "GB"]))
def test_digits_from_any_script_give_the_same_result(
    text: str, zero: str, region: str
) -> None:
    assume(any(char in "0123456789" for char in text))
    assert normalize(_transliterate(text, zero), region) == normalize(text, region)


def test_digit_scripts_cover_the_common_ones() -> None:
    assert len(DIGIT_ZEROS) > 40
    assert {"\u0660", "\u06f0", "\u0966", "\uff10"} <= set(DIGIT_ZEROS)
