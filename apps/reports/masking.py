"""Keep other people's contact details out of stored report comments.

A comment is free text typed by the person who got the call. It often quotes
the number that called, a call-back number or an email address; none of them
is ours to keep, so each is replaced by a placeholder before the comment is
stored. Masking errs on the side of hiding: a long order number or a date
written as one run of digits is masked too.
"""

import re
import unicodedata

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"

# Invisible characters could split a number so that no pattern sees it.
_STRIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_KEPT_CONTROLS = frozenset({"\n", "\t"})

_EMAIL_RE = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+"  # local part
    r"\s*(?:@|\(at\)|\[at\])\s*"  # @, also spelt (at) or [at]
    r"[\w-]+(?:(?:\.|\s*(?:\(dot\)|\[dot\])\s*)[\w-]+)+",  # domain
    re.IGNORECASE,
)

# Seven or more digits, optionally led by "+", with up to three separator
# characters between any two of them: "555 0123 456", "(415) 555-0100".
_DIGIT_RUN_RE = re.compile(r"\+?\(?\d(?:[\s\-./()]{0,3}\d){6,}\)?")


def comment_clean(text: str) -> str:
    """``text`` without control, format and surrogate characters.

    Newlines and tabs stay; everything else of those categories (zero-width
    spaces, direction marks, NUL, lone surrogates) is removed, as are the
    leading and trailing blanks.
    """
    if text.isascii() and text.isprintable():
        return text.strip()
    kept = (
        char
        for char in text
        if char in _KEPT_CONTROLS
        or unicodedata.category(char) not in _STRIPPED_CATEGORIES
    )
    return "".join(kept).strip()


def comment_mask(text: str, region: str) -> str:
    """``text`` with every email address and phone number replaced.

    Phone numbers are found by ``phonenumbers`` as dialled from ``region``
    (any number that is merely possible, not only valid ones), and then by a
    plain pattern for any run of seven or more digits that it missed.
    """
    text = _EMAIL_RE.sub(EMAIL_MASK, text)
    text = _mask_phonenumbers(text, region)
    return _DIGIT_RUN_RE.sub(PHONE_MASK, text)


def _mask_phonenumbers(text: str, region: str) -> str:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        region = "ZZ"  # Unknown region: only numbers written with "+" match.
    pieces: list[str] = []
    position = 0
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        pieces.append(text[position : match.start])
        pieces.append(PHONE_MASK)
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)
