# ruff: noqa: RUF001  (look-alike digits and letters are the point here)
"""Table-driven tests for `apps.numbers.normalize`.

Every expectation was checked against ``phonenumbers`` 9.x metadata: the VALID
numbers below are valid there (``+1 415-555-2671`` is, since 555-2671 is outside
the fictional 555-01XX block), and the NANP-rule cases are numbers the library
alone would accept, so the rules are what makes them INVALID
(see `test_nanp_rule_cases_are_valid_for_phonenumbers_alone`).
"""

import dataclasses
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest

from apps.numbers.normalize import (
    MAX_INPUT_LENGTH,
    CallerId,
    CallerIdError,
    Kind,
    Reason,
    normalize,
)

SF = "+14155552671"  # (415) 555-2671, San Francisco; NANP: fixed line or mobile
GOOGLE = "+16502530000"
LONDON = "+442072193000"  # 020 7219 3000, a real London switchboard number
FLOWERS = "+18003569377"  # 1-800-FLOWERS


def valid(
    e164: str, region: str = "US", line_type: str = "fixed_line_or_mobile"
) -> CallerId:
    return CallerId(Kind.VALID, e164, region, line_type, None)


def invalid(
    reason: Reason, e164: str | None = None, region: str | None = None
) -> CallerId:
    return CallerId(Kind.INVALID, e164, region, None, reason)


WITHHELD = CallerId(Kind.WITHHELD, None, None, None, None)
NOT_A_NUMBER = CallerId(Kind.NOT_A_NUMBER, None, None, None, Reason.NOT_A_NUMBER)
OVERLONG = CallerId(Kind.NOT_A_NUMBER, None, None, None, Reason.TOO_LONG)
SF_VALID = valid(SF)
LONDON_VALID = valid(LONDON, "GB", "fixed_line")

CASES = [
    # --- national / international ASCII shapes, default region US ---
    pytest.param("(415) 555-2671", "US", SF_VALID, id="us-parenthesised"),
    pytest.param("+1 415-555-2671", "US", SF_VALID, id="us-plus-one-dashes"),
    pytest.param("14155552671", "US", SF_VALID, id="us-eleven-digits"),
    pytest.param("4155552671", "US", SF_VALID, id="us-ten-digits"),
    pytest.param("1 (415) 555-2671", "US", SF_VALID, id="us-one-parenthesised"),
    pytest.param("415.555.2671", "US", SF_VALID, id="us-dots"),
    pytest.param("+14155552671", "US", SF_VALID, id="us-e164"),
    pytest.param("  +1 415 555 2671  ", "US", SF_VALID, id="us-padded"),
    pytest.param("+1 650-253-0000", "US", valid(GOOGLE), id="us-google"),
    pytest.param("4155552671", "us", SF_VALID, id="region-lower-case"),
    pytest.param("4155552671", " Us ", SF_VALID, id="region-mixed-case-padded"),
    pytest.param("415-555-2671 ext. 12", "US", SF_VALID, id="extension-dropped"),
    # --- vanity letters ---
    pytest.param(
        "1-800-FLOWERS", "US", valid(FLOWERS, line_type="toll_free"), id="vanity"
    ),
    pytest.param(
        "800-flowers", "US", valid(FLOWERS, line_type="toll_free"), id="vanity-lower"
    ),
    pytest.param(
        "+1 800 GOT JUNK",
        "US",
        valid("+18004685865", line_type="toll_free"),
        id="vanity-two-words",
    ),
    pytest.param(
        "1-800-CONTACTS",
        "US",
        invalid(Reason.TOO_LONG, "+180026682287"),
        id="vanity-too-many-letters",
    ),
    # --- international prefixes and foreign numbers ---
    pytest.param("011 44 20 7219 3000", "US", LONDON_VALID, id="us-idd-011"),
    pytest.param("+44 20 7219 3000", "US", LONDON_VALID, id="gb-plus-from-us"),
    pytest.param("00 44 20 7219 3000", "GB", LONDON_VALID, id="gb-idd-00"),
    pytest.param("020 7219 3000", "GB", LONDON_VALID, id="gb-national"),
    pytest.param("020 7219 3000", "gb", LONDON_VALID, id="gb-national-lower"),
    pytest.param("+44 20 7219 3000", "JE", LONDON_VALID, id="gb-from-jersey"),
    pytest.param("tel:+44-20-7219-3000", "US", LONDON_VALID, id="gb-tel-uri"),
    pytest.param(
        "+61 2 9374 4000", None, valid("+61293744000", "AU", "fixed_line"), id="au"
    ),
    pytest.param(
        "+800 1234 5678",
        None,
        valid("+80012345678", None, "toll_free"),
        id="non-geographic-freephone-has-no-region",
    ),
    # Ofcom reserves 020 7946 0xxx for TV drama; phonenumbers treats it as a
    # valid London number and FICTIONAL is only defined for NANP, so it is VALID.
    pytest.param(
        "+44 20 7946 0958",
        "US",
        valid("+442079460958", "GB", "fixed_line"),
        id="gb-drama-number-is-valid",
    ),
    # --- regions: missing, unknown, garbage ---
    pytest.param("+1 415 555 2671", None, SF_VALID, id="no-region-plus"),
    pytest.param("00 44 20 7219 3000", None, LONDON_VALID, id="no-region-00"),
    pytest.param("+1 415 555 2671", "XX", SF_VALID, id="garbage-region-plus"),
    pytest.param(
        "4155552671",
        "XX",
        invalid(Reason.INVALID_COUNTRY_CODE),
        id="garbage-region-national",
    ),
    pytest.param(
        "4155552671",
        "not a region!",
        invalid(Reason.INVALID_COUNTRY_CODE),
        id="nonsense-region-national",
    ),
    pytest.param(
        "4155552671", "", invalid(Reason.INVALID_COUNTRY_CODE), id="empty-region"
    ),
    pytest.param(
        "4155552671", None, invalid(Reason.INVALID_COUNTRY_CODE), id="no-region"
    ),
    pytest.param(
        "4155552671", 42, invalid(Reason.INVALID_COUNTRY_CODE), id="non-str-region"
    ),
    pytest.param(
        "011 44 20 7219 3000",
        None,
        invalid(Reason.INVALID_COUNTRY_CODE),
        id="no-region-011-is-not-international",
    ),
    # --- Unicode digits ---
    pytest.param("４１５５５５２６７１", "US", SF_VALID, id="full-width"),
    pytest.param(
        "＋１ （４１５） ５５５－２６７１", "US", SF_VALID, id="full-width-punct"
    ),
    pytest.param("٤١٥٥٥٥٢٦٧١", "US", SF_VALID, id="arabic-indic"),
    pytest.param("۴۱۵۵۵۵۲۶۷۱", "US", SF_VALID, id="extended-arabic-indic"),
    pytest.param("४१५५५५२६७१", "US", SF_VALID, id="devanagari"),
    pytest.param("৪১৫৫৫৫২৬৭১", "US", SF_VALID, id="bengali"),
    pytest.param("𝟒𝟏𝟓𝟓𝟓𝟓𝟐𝟔𝟕𝟏", "US", SF_VALID, id="mathematical-bold"),
    pytest.param("+١ 415 ५५५ ２６７１", "US", SF_VALID, id="mixed-scripts"),
    pytest.param("٠٠ 44 20 7219 3000", "GB", LONDON_VALID, id="arabic-indic-idd"),
    # --- invisible marks and odd spaces ---
    pytest.param("415\u200b555\u200b2671", "US", SF_VALID, id="zero-width-space"),
    pytest.param("415\u200d555\u200c2671", "US", SF_VALID, id="zero-width-joiners"),
    pytest.param("\u200e+1 415 555 2671\u200f", "US", SF_VALID, id="lrm-rlm"),
    pytest.param("\u202a+1 415 555 2671\u202c", "US", SF_VALID, id="lre-pdf"),
    pytest.param("\ufeff4155552671", "US", SF_VALID, id="bom"),
    pytest.param("415\u2060555\u20602671", "US", SF_VALID, id="word-joiner"),
    pytest.param("415\u00ad555\u00ad2671", "US", SF_VALID, id="soft-hyphen"),
    pytest.param("415\u00a0555\u00a02671", "US", SF_VALID, id="nbsp"),
    pytest.param("415\u202f555\u20072671", "US", SF_VALID, id="narrow-figure-space"),
    pytest.param("415\u3000555\u30002671", "US", SF_VALID, id="ideographic-space"),
    pytest.param("415\t555\n2671\r", "US", SF_VALID, id="ascii-whitespace-controls"),
    pytest.param("+1 (415) 555-2671\x00", "US", SF_VALID, id="nul"),
    pytest.param("415\u2011555\u20132671", "US", SF_VALID, id="unicode-dashes"),
    # --- URIs ---
    pytest.param("tel:+1-415-555-2671", "US", SF_VALID, id="tel-uri"),
    pytest.param("tel:+1-415-555-2671;ext=1", "US", SF_VALID, id="tel-uri-ext"),
    pytest.param("TEL:+14155552671", "US", SF_VALID, id="tel-uri-upper"),
    pytest.param(
        "tel:555-2671;phone-context=+1-415", None, SF_VALID, id="tel-phone-context"
    ),
    pytest.param(
        "tel:4155552671;phone-context=example.com",
        "US",
        SF_VALID,
        id="tel-domain-context",
    ),
    pytest.param("sip:+14155552671@host;user=phone", "US", SF_VALID, id="sip-uri"),
    pytest.param("sips:+14155552671@host", "US", SF_VALID, id="sips-uri"),
    pytest.param("sip:14155552671@host", "US", SF_VALID, id="sip-uri-national"),
    pytest.param(
        "sip:+1-415-555-2671;ext=9@host;user=phone", "US", SF_VALID, id="sip-user-ext"
    ),
    pytest.param("sip:%2B14155552671@host", "US", SF_VALID, id="sip-percent-plus"),
    pytest.param("<sip:+14155552671@host>", "US", SF_VALID, id="sip-angle"),
    pytest.param(
        '"Bob" <sip:+14155552671@host;user=phone>', "US", SF_VALID, id="sip-name-addr"
    ),
    pytest.param("sip:anonymous@anonymous.invalid", "US", WITHHELD, id="sip-anonymous"),
    pytest.param(
        '"Anonymous" <sip:anonymous@anonymous.invalid>',
        "US",
        WITHHELD,
        id="sip-anonymous-name-addr",
    ),
    pytest.param("sip:266696687@host", "US", WITHHELD, id="sip-anonymous-keypad"),
    pytest.param("sip:alice@example.com", "US", NOT_A_NUMBER, id="sip-name-user"),
    pytest.param("tel:911", "US", invalid(Reason.N11, "+1911"), id="tel-n11"),
    # --- withheld: no caller ID ---
    pytest.param("", "US", WITHHELD, id="empty"),
    pytest.param("   ", "US", WITHHELD, id="spaces"),
    pytest.param("\t\n", "US", WITHHELD, id="whitespace-controls"),
    pytest.param("\u200b\ufeff\u00a0", "US", WITHHELD, id="only-invisible-marks"),
    pytest.param("", None, WITHHELD, id="empty-no-region"),
    pytest.param("+266696687", "US", WITHHELD, id="anonymous-keypad-plus"),
    pytest.param("266696687", "US", WITHHELD, id="anonymous-keypad-bare"),
    pytest.param("266-696-687", "GB", WITHHELD, id="anonymous-keypad-dashes"),
    pytest.param("+266696687", None, WITHHELD, id="anonymous-keypad-no-region"),
    # --- not a number ---
    pytest.param("Payphone", "US", NOT_A_NUMBER, id="payphone"),
    pytest.param("PAYPHONE", "US", NOT_A_NUMBER, id="payphone-upper"),
    pytest.param("Hello", "US", NOT_A_NUMBER, id="word"),
    pytest.param("Unknown 123", "US", NOT_A_NUMBER, id="marker-with-digits"),
    pytest.param("Call 4155552671", "US", NOT_A_NUMBER, id="text-then-number"),
    pytest.param("1-2-HELLO", "US", NOT_A_NUMBER, id="too-few-vanity-digits"),
    pytest.param("4155552671 Привет", "US", NOT_A_NUMBER, id="non-ascii-letters"),
    pytest.param("Анонимный", "US", NOT_A_NUMBER, id="cyrillic-word"),
    pytest.param(
        "800 FLOWERS FLOWERS", "US", NOT_A_NUMBER, id="too-many-vanity-letters"
    ),
    pytest.param("+", "US", NOT_A_NUMBER, id="plus-only"),
    pytest.param("---", "US", NOT_A_NUMBER, id="punctuation-only"),
    pytest.param("0", "US", NOT_A_NUMBER, id="single-digit"),
    pytest.param("415💩5552671", "US", NOT_A_NUMBER, id="emoji-inside"),
    # --- too short / too long / bad country code ---
    pytest.param("12", "US", invalid(Reason.TOO_SHORT, "+112"), id="too-short"),
    pytest.param(
        "555-2671", "US", invalid(Reason.TOO_SHORT, "+15552671"), id="local-only"
    ),
    pytest.param(
        "1234567890123456789012345", "US", invalid(Reason.TOO_LONG), id="25-digits"
    ),
    pytest.param(
        "+1 415 555 26711",
        "US",
        invalid(Reason.TOO_LONG, "+141555526711"),
        id="nanp-eleven-national-digits",
    ),
    pytest.param(
        "+999 1234567", "US", invalid(Reason.INVALID_COUNTRY_CODE), id="bad-cc"
    ),
    pytest.param(
        "+1 099 555 2671",
        "US",
        invalid(Reason.INVALID_FOR_REGION, "+10995552671"),
        id="nanp-area-code-starts-with-0",
    ),
    pytest.param(
        "+44 20 7219 300",
        "US",
        invalid(Reason.INVALID_FOR_REGION, "+44207219300"),
        id="gb-wrong-length",
    ),
    # --- NANP: N11 ---
    pytest.param("911", "US", invalid(Reason.N11, "+1911"), id="n11-911"),
    pytest.param("411", "US", invalid(Reason.N11, "+1411"), id="n11-411"),
    pytest.param("211", "US", invalid(Reason.N11, "+1211"), id="n11-211"),
    pytest.param("+1 911", "US", invalid(Reason.N11, "+1911"), id="n11-plus-one"),
    pytest.param("1911", "US", invalid(Reason.N11, "+1911"), id="n11-one-prefixed"),
    pytest.param(
        "+1 411 555 1234",
        "US",
        invalid(Reason.N11, "+14115551234"),
        id="n11-area-code",
    ),
    pytest.param(
        "+1 212 411 1234",
        "US",
        invalid(Reason.N11, "+12124111234", "US"),
        id="n11-exchange",
    ),
    # --- NANP: fictional 555-0100..0199 ---
    pytest.param(
        "+1 212 555 0100",
        "US",
        invalid(Reason.FICTIONAL, "+12125550100", "US"),
        id="fictional-0100",
    ),
    pytest.param(
        "(415) 555-0150",
        "US",
        invalid(Reason.FICTIONAL, "+14155550150", "US"),
        id="fictional-0150",
    ),
    pytest.param(
        "+1 212 555 0199",
        "US",
        invalid(Reason.FICTIONAL, "+12125550199", "US"),
        id="fictional-0199",
    ),
    pytest.param("+1 212 555 0099", "US", valid("+12125550099"), id="555-0099"),
    pytest.param("+1 415 555 0200", "US", valid("+14155550200"), id="555-0200"),
    # --- length cap ---
    pytest.param("1" * (MAX_INPUT_LENGTH + 1), "US", OVERLONG, id="over-max-digits"),
    pytest.param(" " * (MAX_INPUT_LENGTH + 1), "US", OVERLONG, id="over-max-spaces"),
    pytest.param(
        "+1 415 555 2671".ljust(MAX_INPUT_LENGTH), "US", SF_VALID, id="at-max"
    ),
]

WITHHELD_MARKERS = [
    "Anonymous",
    "ANONYMOUS",
    " anonymous ",
    "Anonymous Caller",
    "ＡＮＯＮＹＭＯＵＳ",
    "Private",
    "PRIVATE",
    "private number",
    "Private Caller",
    "Restricted",
    "RESTRICTED",
    "restricted number",
    "Unknown",
    "UNKNOWN",
    "Unknown caller",
    "unknown number",
    "Unavailable",
    "UNAVAILABLE",
    "Caller ID unavailable",
    "Not Available",
    "Out of area",
    "OUT OF AREA",
    "Withheld",
    "WITHHELD",
    "Number Withheld",
    "withheld number",
    "Blocked",
    "BLOCKED",
    "Blocked Number",
    "Caller ID Blocked",
    "No Caller ID",
    "NO CALLER ID",
    "no caller-id",
    "No\u00a0Caller\u200bID",
    "NoCallerID",
    "private_number",
    "\tUnknown\n",
]


@pytest.mark.parametrize(("raw", "region", "expected"), CASES)
def test_normalize(raw: str, region: str | None, expected: CallerId) -> None:
    assert normalize(raw, region) == expected


@pytest.mark.parametrize("marker", WITHHELD_MARKERS)
@pytest.mark.parametrize("region", ["US", "GB", None])
def test_withheld_markers(marker: str, region: str | None) -> None:
    assert normalize(marker, region) == WITHHELD


@pytest.mark.parametrize(
    ("raw", "inactive", "expected"),
    [
        pytest.param(
            "(415) 555-2671",
            {"415"},
            invalid(Reason.AREA_CODE_NOT_IN_SERVICE, SF, "US"),
            id="inactive-set",
        ),
        pytest.param(
            "+1 415 555 2671",
            ("212", "415"),
            invalid(Reason.AREA_CODE_NOT_IN_SERVICE, SF, "US"),
            id="inactive-tuple",
        ),
        pytest.param(
            "+1 415 555 2671",
            {"415": "2024-01-01"},
            invalid(Reason.AREA_CODE_NOT_IN_SERVICE, SF, "US"),
            id="inactive-mapping",
        ),
        pytest.param("+1 415 555 2671", frozenset({"212"}), SF_VALID, id="other-npa"),
        pytest.param("+1 415 555 2671", (), SF_VALID, id="empty"),
        pytest.param(
            "+1 415 555 0150",
            {"415"},
            invalid(Reason.FICTIONAL, "+14155550150", "US"),
            id="fictional-wins",
        ),
        pytest.param(
            "+44 20 7219 3000", {"442", "207", "20"}, LONDON_VALID, id="non-nanp"
        ),
    ],
)
def test_inactive_area_codes(
    raw: str, inactive: "set[str] | tuple[str, ...]", expected: CallerId
) -> None:
    assert normalize(raw, "US", inactive_area_codes=inactive) == expected


def test_default_region_is_us() -> None:
    assert normalize("(415) 555-2671") == SF_VALID


@pytest.mark.parametrize(
    "raw",
    [None, b"4155552671", bytearray(b"911"), 4155552671, 3.5, ["4155552671"]],
    ids=["none", "bytes", "bytearray", "int", "float", "list"],
)
def test_non_str_raises_caller_id_error(raw: object) -> None:
    with pytest.raises(CallerIdError):
        normalize(raw)  # type: ignore[arg-type]


def test_caller_id_error_is_value_error() -> None:
    assert issubclass(CallerIdError, ValueError)


def test_result_is_immutable() -> None:
    caller_id = normalize("(415) 555-2671")
    with pytest.raises(dataclasses.FrozenInstanceError):
        caller_id.e164 = "+19005550000"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        caller_id.kind = Kind.WITHHELD  # type: ignore[misc]


def test_results_are_hashable_and_comparable() -> None:
    assert normalize("4155552671") == normalize("+1 (415) 555-2671")
    assert len({normalize("4155552671"), normalize("tel:+14155552671")}) == 1


@pytest.mark.parametrize(
    ("raw", "digits", "is_valid", "prefix6"),
    [
        pytest.param("(415) 555-2671", "14155552671", True, "415555", id="us"),
        pytest.param("+44 20 7219 3000", "442072193000", True, None, id="gb"),
        pytest.param("+1 411 555 1234", "14115551234", False, "411555", id="n11"),
        pytest.param("911", "1911", False, None, id="short"),
        pytest.param("Anonymous", None, False, None, id="withheld"),
        pytest.param("Payphone", None, False, None, id="not-a-number"),
    ],
)
def test_convenience_properties(
    raw: str, digits: str | None, is_valid: bool, prefix6: str | None
) -> None:
    caller_id = normalize(raw)
    assert caller_id.digits == digits
    assert caller_id.is_valid is is_valid
    assert caller_id.national_prefix6 == prefix6


def test_enums_are_plain_strings() -> None:
    assert Kind.VALID == "valid"
    assert Kind.NOT_A_NUMBER == "not_a_number"
    assert Reason.AREA_CODE_NOT_IN_SERVICE == "area_code_not_in_service"
    assert f"{Reason.N11}" == "n11"


@pytest.mark.parametrize(
    "e164", ["+14155550150", "+12125550100", "+12124111234", SF, LONDON]
)
def test_nanp_rule_cases_are_valid_for_phonenumbers_alone(e164: str) -> None:
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164))


def test_module_does_not_import_django() -> None:
    code = (
        "import sys, apps.numbers.normalize; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
    assert result.returncode == 0


def test_an_invalid_number_longer_than_e164_allows_has_no_key():
    result = normalize("+380 12345678901234567", "US")

    assert result.kind is Kind.INVALID
    assert result.reason is Reason.TOO_LONG
    assert result.e164 is None


def test_every_e164_key_fits_the_storage_columns():
    for raw in ["+380 123456789012345", "+1 415 555 2671 99999", "0044 20 7219 3000"]:
        result = normalize(raw, "GB")
        assert result.e164 is None or len(result.e164) <= 16
