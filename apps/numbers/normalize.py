"""Turn any caller ID a phone or carrier sends into one canonical `CallerId`.

This is the single place where caller IDs are understood.  It is pure Python
(stdlib + ``phonenumbers``), never imports Django, and never raises for a string
input: every string maps to exactly one of four kinds.

``Kind.VALID``
    A dialable number; ``e164`` is the canonical key (``"+14155552671"``).
``Kind.WITHHELD``
    No caller ID was delivered: the empty string (or only whitespace and
    invisible marks), one of the withheld markers below, or the keypad
    spelling of ANONYMOUS (``266696687``, with or without ``+``).
``Kind.INVALID``
    Parses as a telephone number but cannot be a real one (``reason`` says
    why).  ``e164`` still holds an E.164-shaped key whenever the input parsed
    to a country code and a national number, so reports of the same bad
    number share a key; it is ``None`` when the input did not get that far.
``Kind.NOT_A_NUMBER``
    Text that is not a phone number at all (``"Payphone"``, ``"Hello"``,
    ``"sip:alice@example.com"``) or input longer than `MAX_INPUT_LENGTH`.

Withheld markers are compared after NFKC, case folding and removal of every
non-alphanumeric character, so ``" ANONYMOUS "``, ``"No Caller-ID"`` and
``"private_number"`` all match.  The fixed set is:

    anonymous, anonymous caller, anonymous number,
    private, private caller, private number,
    restricted, restricted caller, restricted number,
    unknown, unknown caller, unknown number,
    unavailable, unavailable caller, unavailable number, caller ID unavailable,
    not available, out of area,
    withheld, withheld number, number withheld, caller withheld,
    blocked, blocked caller, blocked number, caller ID blocked,
    no caller ID.

``"Payphone"`` is deliberately *not* withheld: the network says who is calling
(a payphone), it just has no number, so it is ``NOT_A_NUMBER``.

Pipeline (cheap checks first; the hot path is a lookup while a phone rings):

1. Non-``str`` input raises `CallerIdError`; input longer than
   `MAX_INPUT_LENGTH` is ``NOT_A_NUMBER``/``TOO_LONG`` before any other work.
2. Unicode clean-up: NFKC, every Unicode decimal digit becomes its ASCII
   digit, format and control characters (zero-width space/joiner, LRM/RLM,
   BOM, word joiner, soft hyphen, ...) are removed, odd spaces become ``" "``.
   Pure printable-ASCII input skips this step.
3. ``tel:`` / ``sip:`` / ``sips:`` URIs (optionally inside ``<...>``) are reduced
   to their number part; a global ``phone-context`` is prepended, other
   parameters (``ext``, ``user=phone``, ...) are dropped.
4. Empty text and withheld markers give ``WITHHELD``.
5. Letters are only accepted as vanity letters (``1-800-FLOWERS``): ASCII,
   at most `MAX_VANITY_LETTERS` of them, and only after at least
   `MIN_VANITY_DIGITS` real digits.  Anything else with letters, or without
   any digit, is ``NOT_A_NUMBER``.
6. ``phonenumbers`` parses with ``region`` as the default region.  A missing or
   unknown region means no default region; then a leading ``00`` is read as
   the international prefix ``+``.
7. NANP (+1) rules on top of ``phonenumbers``: N11 service codes, the fictional
   555-0100..555-0199 range and area codes listed in ``inactive_area_codes``.
"""

import dataclasses
import enum
import re
import unicodedata
import urllib.parse
from collections.abc import Container
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

__all__ = [
    "MAX_INPUT_LENGTH",
    "CallerId",
    "CallerIdError",
    "Kind",
    "Reason",
    "normalize",
]

MAX_INPUT_LENGTH = 256  # room for a full SIP URI with a carrier host
"""Longer raw input is ``NOT_A_NUMBER``/``TOO_LONG`` without being parsed."""

E164_MAX_LENGTH = 16
"""``+`` and at most 15 digits (ITU-T E.164); every stored number fits in it."""

MIN_VANITY_DIGITS = 3
"""Real digits required before the first vanity letter."""

MAX_VANITY_LETTERS = 10
"""Most letters accepted in a vanity number (a 7-letter word plus ``ext``)."""

ANONYMOUS_KEYPAD_DIGITS = "266696687"
"""A-N-O-N-Y-M-O-U-S typed on a keypad, sent by SIP systems for withheld."""


class CallerIdError(ValueError):
    """Raised by `normalize` only when ``raw`` is not a ``str``."""


class Kind(enum.StrEnum):
    """What a caller ID turned out to be."""

    VALID = "valid"
    WITHHELD = "withheld"
    INVALID = "invalid"
    NOT_A_NUMBER = "not_a_number"


class Reason(enum.StrEnum):
    """Why a caller ID is ``INVALID`` (or ``NOT_A_NUMBER``)."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID_FOR_REGION = "invalid_for_region"
    INVALID_COUNTRY_CODE = "invalid_country_code"
    N11 = "n11"
    FICTIONAL = "fictional"
    AREA_CODE_NOT_IN_SERVICE = "area_code_not_in_service"
    NOT_A_NUMBER = "not_a_number"


@dataclasses.dataclass(frozen=True, slots=True)
class CallerId:
    """The normalised form of one caller ID (immutable)."""

    kind: Kind
    e164: str | None
    region: str | None
    line_type: str | None
    reason: Reason | None

    @property
    def digits(self) -> str | None:
        """The E.164 key without ``+`` (the form iOS block lists want)."""
        return self.e164[1:] if self.e164 else None

    @property
    def is_valid(self) -> bool:
        return self.kind is Kind.VALID

    @property
    def national_prefix6(self) -> str | None:
        """NPA+NXX of a 10-digit NANP (+1) number, for neighbour-spoof checks."""
        e164 = self.e164
        if e164 is None or len(e164) != 12 or not e164.startswith("+1"):
            return None
        return e164[2:8]


_WITHHELD = CallerId(Kind.WITHHELD, None, None, None, None)
_NOT_A_NUMBER = CallerId(Kind.NOT_A_NUMBER, None, None, None, Reason.NOT_A_NUMBER)
_OVERLONG_INPUT = CallerId(Kind.NOT_A_NUMBER, None, None, None, Reason.TOO_LONG)

_WITHHELD_KEYS = frozenset(
    {
        "anonymous",
        "anonymouscaller",
        "anonymousnumber",
        "private",
        "privatecaller",
        "privatenumber",
        "restricted",
        "restrictedcaller",
        "restrictednumber",
        "unknown",
        "unknowncaller",
        "unknownnumber",
        "unavailable",
        "unavailablecaller",
        "unavailablenumber",
        "calleridunavailable",
        "notavailable",
        "outofarea",
        "withheld",
        "withheldnumber",
        "numberwithheld",
        "callerwithheld",
        "blocked",
        "blockedcaller",
        "blockednumber",
        "calleridblocked",
        "nocallerid",
        ANONYMOUS_KEYPAD_DIGITS,
    }
)

_NON_ALNUM_RE = re.compile(r"[\W_]+")
_LETTER_RE = re.compile(r"[^\W\d_]")
_URI_SCHEME_RE = re.compile(r"(tel|sips?):", re.IGNORECASE)
_N11_RE = re.compile(r"[2-9]11")
_WHOLE_N11_RE = re.compile(r"1?[2-9]11")
_ASCII_DIGITS = frozenset("0123456789")

_ASCII_WHITESPACE_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f"
_ASCII_CONTROL_TABLE = {
    code: (" " if chr(code) in _ASCII_WHITESPACE_CONTROLS else None)
    for code in (*range(0x20), 0x7F)
}

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: CallerId(
        Kind.INVALID, None, None, None, Reason.INVALID_COUNTRY_CODE
    ),
    NumberParseException.NOT_A_NUMBER: _NOT_A_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: CallerId(
        Kind.INVALID, None, None, None, Reason.TOO_SHORT
    ),
    NumberParseException.TOO_SHORT_NSN: CallerId(
        Kind.INVALID, None, None, None, Reason.TOO_SHORT
    ),
    NumberParseException.TOO_LONG: CallerId(
        Kind.INVALID, None, None, None, Reason.TOO_LONG
    ),
}

_POSSIBILITY_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: Reason.INVALID_COUNTRY_CODE,
    ValidationResult.TOO_SHORT: Reason.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: Reason.TOO_SHORT,
    ValidationResult.TOO_LONG: Reason.TOO_LONG,
    ValidationResult.INVALID_LENGTH: Reason.INVALID_FOR_REGION,
}

_LINE_TYPES = {
    getattr(phonenumbers.PhoneNumberType, name): name.lower()
    for name in dir(phonenumbers.PhoneNumberType)
    if name.isupper()
}

_NON_GEOGRAPHIC_REGION = "001"
_NANP_NATIONAL_LENGTH = 10


def normalize(
    raw: str,
    region: str | None = "US",
    *,
    inactive_area_codes: Container[str] = (),
) -> CallerId:
    """Classify and normalise the caller ID ``raw`` as received by a phone.

    ``region`` is the phone's country (ISO 3166 code, any case), used as the
    default region for national-format input; ``None`` or an unknown value
    means no default region.  ``inactive_area_codes`` holds 3-digit NANP area
    codes that are not in service.  Raises `CallerIdError` only if ``raw`` is
    not a ``str``.
    """
    if not isinstance(raw, str):
        raise CallerIdError(f"caller ID must be str, not {type(raw).__name__}")
    if len(raw) > MAX_INPUT_LENGTH:
        return _OVERLONG_INPUT
    text = _unwrap_uri(_clean(raw).strip())
    if not text or _marker_key(text) in _WITHHELD_KEYS:
        return _WITHHELD
    if not _is_number_shaped(text):
        return _NOT_A_NUMBER
    parsed = _parse(text, _default_region(region))
    if isinstance(parsed, CallerId):
        return parsed
    return _classify(parsed, inactive_area_codes)


def _clean(raw: str) -> str:
    """Map Unicode digits to ASCII and drop invisible and control characters."""
    if raw.isascii():
        return raw if raw.isprintable() else raw.translate(_ASCII_CONTROL_TABLE)
    text = unicodedata.normalize("NFKC", raw)
    return "".join([_clean_char(char) for char in text])


@lru_cache(maxsize=4096)
def _clean_char(char: str) -> str:
    if char.isascii():
        return char.translate(_ASCII_CONTROL_TABLE)
    if char.isspace():
        return " "
    if unicodedata.category(char) in ("Cf", "Cc"):
        return ""
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)


def _unwrap_uri(text: str) -> str:
    """Reduce a ``tel:``/``sip:`` URI (or SIP name-addr) to its number part."""
    start = text.find("<")
    if start >= 0:
        end = text.find(">", start)
        if end > start:
            text = text[start + 1 : end].strip()
    scheme = _URI_SCHEME_RE.match(text)
    if scheme is None:
        return text
    body = text[scheme.end() :]
    if scheme.group(1).lower() != "tel":
        body = body.partition("@")[0]
    if "%" in body:
        body = urllib.parse.unquote(body)
    number, _, params = body.partition(";")
    return _apply_phone_context(number.strip(), params)


def _apply_phone_context(number: str, params: str) -> str:
    """Prefix a local number with a global ``phone-context`` (RFC 3966)."""
    if not params or number.startswith("+"):
        return number
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "phone-context" and value.startswith("+"):
            return value + number
    return number


def _marker_key(text: str) -> str:
    return _NON_ALNUM_RE.sub("", text).casefold()


def _is_number_shaped(text: str) -> bool:
    """Digits, optionally followed by a few vanity letters (``1-800-FLOWERS``)."""
    first_letter = _LETTER_RE.search(text)
    if first_letter is None:
        return any(char in _ASCII_DIGITS for char in text)
    head = text[: first_letter.start()]
    if sum(char in _ASCII_DIGITS for char in head) < MIN_VANITY_DIGITS:
        return False
    letters = _LETTER_RE.findall(text, first_letter.start())
    return len(letters) <= MAX_VANITY_LETTERS and all(
        letter.isascii() for letter in letters
    )


def _default_region(region: object) -> str | None:
    if not isinstance(region, str):
        return None
    code = region.strip().upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def _parse(text: str, default_region: str | None) -> PhoneNumber | CallerId:
    """Parse with ``phonenumbers``; a parse failure becomes its `CallerId`."""
    if default_region is None and text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, default_region)
    except NumberParseException as error:
        return _PARSE_ERRORS.get(error.error_type, _NOT_A_NUMBER)
    except Exception:  # a library bug must not take the lookup down with it
        return _NOT_A_NUMBER


def _classify(number: PhoneNumber, inactive_area_codes: Container[str]) -> CallerId:
    country_code = number.country_code
    national = phonenumbers.national_significant_number(number)
    e164 = f"+{country_code}{national}" if national else None
    region = phonenumbers.region_code_for_number(number)
    if country_code == 1:
        if _WHOLE_N11_RE.fullmatch(national):
            return _invalid(f"+1{national[-3:]}", region, Reason.N11)
        if len(national) == _NANP_NATIONAL_LENGTH:
            nanp_reason = _nanp_reason(national, inactive_area_codes)
            if nanp_reason is not None:
                return _invalid(e164, region, nanp_reason)
    if region is None or not phonenumbers.is_valid_number_for_region(number, region):
        return _invalid(e164, region, _invalidity_reason(number))
    line_type = _LINE_TYPES.get(phonenumbers.number_type(number), "unknown")
    return CallerId(Kind.VALID, e164, _iso_region(region), line_type, None)


def _invalidity_reason(number: PhoneNumber) -> Reason:
    """Why ``phonenumbers`` rejects a number: its length, else its digits."""
    possibility = phonenumbers.is_possible_number_with_reason(number)
    return _POSSIBILITY_REASONS.get(possibility, Reason.INVALID_FOR_REGION)


def _nanp_reason(national: str, inactive_area_codes: Container[str]) -> Reason | None:
    """NANP rules ``phonenumbers`` does not apply, for a 10-digit national number."""
    area_code, exchange, line = national[:3], national[3:6], national[6:]
    if _N11_RE.fullmatch(area_code) or _N11_RE.fullmatch(exchange):
        return Reason.N11
    if exchange == "555" and "0100" <= line <= "0199":
        return Reason.FICTIONAL
    if area_code in inactive_area_codes:
        return Reason.AREA_CODE_NOT_IN_SERVICE
    return None


def _invalid(e164: str | None, region: str | None, reason: Reason) -> CallerId:
    if e164 is not None and len(e164) > E164_MAX_LENGTH:
        e164 = None  # Longer than E.164 allows: no key could ever match it.
    return CallerId(Kind.INVALID, e164, _iso_region(region), None, reason)


def _iso_region(region: str | None) -> str | None:
    return None if region == _NON_GEOGRAPHIC_REGION else region
