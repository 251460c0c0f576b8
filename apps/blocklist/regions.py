"""Which list a number belongs to, which list a phone reads, and the tiers.

There is one block list per country calling code, named by the code's main
region: every +1 number (United States, Canada, Puerto Rico, the Caribbean
NANP countries) is in the ``US`` list, every +44 number (with Guernsey,
Jersey and the Isle of Man) in ``GB``, every +7 number in ``RU``. A phone in
any region sharing the code reads that list. One numbering plan is one pool
of callers: a robocall campaign spoofs numbers across the whole plan, so a
Canadian phone needs the US numbers as much as its own.
"""

from django.conf import settings
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    SUPPORTED_REGIONS,
    country_code_for_region,
)

MAX_E164_DIGITS = 15


def _main_region(country_code: int) -> str | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions or regions[0] == "001":  # 001: non-geographic (+800, +882...)
        return None
    return regions[0]


def e164_digits(number: str) -> int | None:
    """``"+14155552671"`` as the integer 14155552671; None when not E.164."""
    if len(number) < 3 or number[0] != "+" or number[1] == "0":
        return None
    digits = number[1:]
    if len(digits) > MAX_E164_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def list_region_for_number(digits: int, fallback: str = "") -> str | None:
    """The list holding the number with these E.164 digits.

    Country calling codes are prefix-free, so the first one to three digits
    that name a code are the code. ``fallback`` (the reputation's region) is
    used only for codes with no geographic region.
    """
    text = str(digits)
    for length in (1, 2, 3):
        region = _main_region(int(text[:length]))
        if region is not None:
            return region
    return fallback if fallback in SUPPORTED_REGIONS else None


def list_region_for_device(region: str) -> str:
    """The list a phone in ``region`` (ISO 3166, capitals) reads."""
    code = country_code_for_region(region)
    return _main_region(code) or region


def tier_sizes() -> list[int]:
    """The list sizes phones may ask for, smallest first; the last is the cap."""
    top = settings.BLOCKLIST_MAX_ENTRIES
    return sorted(
        {size for size in settings.BLOCKLIST_LIMIT_TIERS if 0 < size < top} | {top}
    )


def tier_for_limit(limit: int | None, sizes: list[int]) -> int:
    """Index of the largest tier not above ``limit`` (the whole list for None).

    Raises ValueError when ``limit`` is below the smallest tier.
    """
    if limit is None:
        return len(sizes) - 1
    fitting = [index for index, size in enumerate(sizes) if size <= limit]
    if not fitting:
        raise ValueError(f"limit must be at least {sizes[0]}")
    return fitting[-1]
