"""Reads about numbers that every other app shares."""

import logging
import time

from django.conf import settings

from .models import AreaCode
from .normalize import CallerId, normalize

logger = logging.getLogger(__name__)

_REFRESH_SECONDS = 60
_inactive: frozenset[str] = frozenset()
_loaded_at = float("-inf")


def inactive_area_codes() -> frozenset[str]:
    """NANP area codes NANPA lists as not in service, held in process memory.

    Re-read from the database at most once a minute, so ``import_nanpa``
    reaches every worker within a minute and the hot path pays nothing. Empty
    until a NANPA report has been imported: then only ``phonenumbers`` rules.
    """
    global _inactive, _loaded_at
    now = time.monotonic()
    if now - _loaded_at >= _REFRESH_SECONDS:
        _loaded_at = now
        try:
            _inactive = frozenset(
                AreaCode.objects.filter(in_service=False).values_list("npa", flat=True)
            )
        except Exception:
            logger.warning(
                "area codes unavailable; keeping the last set", exc_info=True
            )
    return _inactive


def inactive_area_codes_forget() -> None:
    """Make the next call re-read the table (after an import, and in tests)."""
    global _loaded_at
    _loaded_at = float("-inf")


def caller_id(raw: str, region: str | None = None) -> CallerId:
    """Normalise ``raw`` as seen by a phone in ``region``, with NANPA's data."""
    return normalize(
        raw,
        region or settings.DEFAULT_REGION,
        inactive_area_codes=inactive_area_codes(),
    )
