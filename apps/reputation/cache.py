"""Reputations as phones see them, kept in the shared cache by E.164.

A lookup that finds its number here costs no query. A number without a
reputation is cached too (as `ABSENT`) so unknown numbers do not reach the
database on every ring; aggregation rewrites the entries of the numbers it
recomputed right after it commits.

When the cache fails, callers fall back to the database: one warning when
it starts failing, then the cache is left alone for a few seconds instead of
making every lookup wait for its timeout.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache

from .models import Reputation

logger = logging.getLogger(__name__)

ABSENT = "-"
REFRESH_CHUNK = 1000
_PAYLOAD_FIELDS = (
    "number",
    "verdict",
    "score",
    "label",
    "category",
    "reasons",
    "spam_count",
    "not_spam_count",
    "reporters",
    "recent_count",
    "last_reported_at",
)

_down_until = 0.0


def reputation_key(number: str) -> str:
    return f"rep:{number}"


def payload(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a reputation a lookup answers with, ready for JSON."""
    last = row["last_reported_at"]
    return {
        "verdict": row["verdict"],
        "score": round(row["score"], 1),
        "label": row["label"],
        "category": row["category"],
        "counts": {
            "spam": row["spam_count"],
            "not_spam": row["not_spam_count"],
            "reporters": row["reporters"],
            "recent": row["recent_count"],
        },
        "last_reported_at": last.isoformat() if last else None,
        "reasons": list(row["reasons"]),
    }


def _available() -> bool:
    return time.monotonic() >= _down_until


def _failed(action: str) -> None:
    """Note a cache failure: warn once, then skip the cache for a while."""
    global _down_until
    if _available():
        logger.warning(
            "reputation cache unavailable; using the database",
            extra={"action": action},
            exc_info=True,
        )
    _down_until = time.monotonic() + settings.REPUTATION_CACHE_RETRY_SECONDS


def cache_reset() -> None:
    """Forget a past failure (tests, and after an operator fixed Redis)."""
    global _down_until
    _down_until = 0.0


def cache_read(keys: Sequence[str]) -> dict[str, Any] | None:
    """The cached values of ``keys`` (any, not only reputations) in one
    round trip; None if the cache is unavailable."""
    if not _available():
        return None
    try:
        return cache.get_many(keys)
    except Exception:
        _failed("get")
        return None


def cache_store(entries: dict[str, Any]) -> None:
    """Store payloads (or `ABSENT`) by number; a failure is only logged."""
    if not entries or not _available():
        return
    try:
        cache.set_many(
            {reputation_key(n): value for n, value in entries.items()},
            timeout=settings.REPUTATION_CACHE_SECONDS,
        )
    except Exception:
        _failed("set")


def payloads_from_db(numbers: Sequence[str]) -> dict[str, Any]:
    """Payloads of ``numbers`` read from the database, `ABSENT` if none."""
    rows = Reputation.objects.filter(number__in=list(numbers)).values(*_PAYLOAD_FIELDS)
    found: dict[str, Any] = dict.fromkeys(numbers, ABSENT)
    for row in rows:
        found[row["number"]] = payload(row)
    return found


def reputation_cache_refresh(*, numbers: Iterable[str]) -> None:
    """Rewrite the cached entries of ``numbers`` from the database.

    Called after aggregation commits. Should the cache be down, entries
    written before age out after ``REPUTATION_CACHE_SECONDS``.
    """
    batch: list[str] = []
    for number in numbers:
        batch.append(number)
        if len(batch) >= REFRESH_CHUNK:
            cache_store(payloads_from_db(batch))
            batch = []
    if batch:
        cache_store(payloads_from_db(batch))


def reputation_cache_store(*, entries: dict[str, Any]) -> None:
    """Cache payloads (or `ABSENT`) computed by a run that just committed."""
    batch: dict[str, Any] = {}
    for number, value in entries.items():
        batch[number] = value
        if len(batch) >= REFRESH_CHUNK:
            cache_store(batch)
            batch = {}
    cache_store(batch)


def reputation_cache_forget(*, numbers: Iterable[str]) -> None:
    """Drop cached entries, e.g. after an override, before the next run."""
    keys = [reputation_key(n) for n in numbers]
    if not keys or not _available():
        return
    try:
        cache.delete_many(keys)
    except Exception:
        _failed("delete")
