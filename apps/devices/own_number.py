"""The phone's own number, or as much of it as its owner chose to give.

The app may send the phone's number so that calls spoofing its neighbours
(same leading digits) can be recognised; a privacy-minded owner can send only
the leading digits. Both become E.164 digits with a leading ``+``:

1. A full number that ``caller_id`` finds valid is stored in E.164 form.
2. Anything else must be only digits, optionally with separators (space,
   ``-``, ``.``, ``(``, ``)``, ``/``) and one leading ``+``.

   - With ``+`` the digits already start with the country calling code and
     are stored as given: ``+4420`` stays ``+4420``.
   - Without ``+`` they are national digits of the device's region: the
     region's national trunk prefix, if they start with it, is dropped and
     the country calling code put in front: ``0207`` from GB becomes
     ``+44207``, ``1415`` and ``415`` from the US both become ``+1415``.

   The digits typed (with any trunk prefix, without the ``+``) must number
   4 to 15, and the stored result may not exceed E.164's 15 digits.
"""

import re

import phonenumbers

from apps.numbers.normalize import Kind
from apps.numbers.selectors import caller_id

MIN_DIGITS = 4
MAX_DIGITS = 15
MAX_INPUT_LENGTH = 32

_SEPARATORS_RE = re.compile(r"[\s\-.()/]")
_DIGITS_RE = re.compile(r"\+?[0-9]+")


class OwnNumberError(ValueError):
    """The value is neither a valid number nor a run of leading digits."""


def own_number_normalize(raw: str, region: str) -> str:
    """``raw`` as ``+`` and E.164 digits, by the rules of this module."""
    if len(raw) > MAX_INPUT_LENGTH:
        raise OwnNumberError(
            f"Ensure this field has no more than {MAX_INPUT_LENGTH} characters."
        )

    parsed = caller_id(raw, region)
    if parsed.kind is Kind.VALID and parsed.e164:
        return parsed.e164

    compact = _SEPARATORS_RE.sub("", raw)
    if not _DIGITS_RE.fullmatch(compact):
        raise OwnNumberError("Enter a phone number or its leading digits.")

    given = compact.removeprefix("+")
    if compact.startswith("+"):
        digits = given
    else:
        national = _without_trunk_prefix(given, region)
        digits = f"{phonenumbers.country_code_for_region(region)}{national}"
    if not MIN_DIGITS <= len(given) <= MAX_DIGITS or len(digits) > MAX_DIGITS:
        raise OwnNumberError(
            f"Give between {MIN_DIGITS} and {MAX_DIGITS} digits "
            f"(at most {MAX_DIGITS} with the country code)."
        )

    return f"+{digits}"


def _without_trunk_prefix(national: str, region: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = (metadata.national_prefix or "") if metadata else ""
    return national.removeprefix(trunk) if trunk else national
