"""Reads of reputations: the cache first, the database on a miss."""

from collections.abc import Sequence
from typing import Any

from .cache import ABSENT, cache_read, cache_store, payloads_from_db, reputation_key
from .models import Reputation


def reputations_get_many(
    *, numbers: Sequence[str], cached: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """The lookup payload of each of ``numbers`` that has a reputation.

    Numbers the cache holds cost no query; the rest are read in one query
    and cached, those without a reputation as well. ``cached`` is what the
    caller already read from the cache (by key) in a larger round trip.
    """
    unique = list(dict.fromkeys(numbers))
    if not unique:
        return {}

    if cached is None:
        cached = cache_read([reputation_key(n) for n in unique])
    if cached is None:  # Cache unavailable: the database answers alone.
        entries = payloads_from_db(unique)
    else:
        entries = {}
        for number in unique:
            value = cached.get(reputation_key(number))
            if value is not None:
                entries[number] = value
        missing = [n for n in unique if n not in entries]
        if missing:
            fresh = payloads_from_db(missing)
            cache_store(fresh)
            entries.update(fresh)
    return {n: value for n, value in entries.items() if value != ABSENT}


def reputation_get(*, number: str) -> Reputation | None:
    return Reputation.objects.filter(number=number).first()
