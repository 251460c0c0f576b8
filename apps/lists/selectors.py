"""Reads of a device's own block and allow rules.

The rules are read while a phone rings, so each device's rules are cached
as one entry; a hit costs no query. Every change calls `device_rules_forget`
after it commits. A reader that missed the cache just before a change can
still write the older rules back; ``LIST_CACHE_SECONDS`` bounds how long.
"""

import logging
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from apps.core.degraded import log_unavailable
from apps.devices.models import Device

from .models import Action, ListEntry

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    pattern: str
    is_prefix: bool
    action: str
    label: str

    def matches(self, e164: str) -> bool:
        if self.is_prefix:
            return e164.startswith(self.pattern)
        return e164 == self.pattern


_NOT_READ = object()


def device_rules_key(device_id: UUID | str) -> str:
    return f"lists:rules:{device_id}"


def device_rules_uncached(device_id: UUID | str) -> tuple[Rule, ...]:
    """The device's rules from the database (for callers that know the cache
    is down)."""
    rows = (
        ListEntry.objects.filter(device_id=device_id)
        .order_by("id")
        .values_list("id", "pattern", "is_prefix", "action", "label")
    )
    return tuple(Rule(*row) for row in rows)


def device_rules(
    device_id: UUID | str, *, cached: object = _NOT_READ
) -> tuple[Rule, ...]:
    """The device's rules: from the cache, else the database (then cached).

    ``cached`` is the cache entry (None: a miss) when the caller already
    read it, with other keys, in one round trip.
    """
    key = device_rules_key(device_id)
    stored = cached
    if stored is _NOT_READ:
        try:
            stored = cache.get(key)
        except Exception:
            logger.warning(
                "list cache unavailable; reading the database", exc_info=True
            )
            return device_rules_uncached(device_id)

    if stored is not None:
        return tuple(Rule(*row) for row in stored)

    rules = device_rules_uncached(device_id)
    rows = [(r.id, r.pattern, r.is_prefix, r.action, r.label) for r in rules]
    try:
        cache.set(key, rows, timeout=settings.LIST_CACHE_SECONDS)
    except Exception:
        log_unavailable(logger, "list cache unavailable")
    return rules


def device_rules_forget(device_id: UUID | str) -> None:
    """Drop the cached rules of a device (after a change, or its erasure)."""
    try:
        cache.delete(device_rules_key(device_id))
    except Exception:
        log_unavailable(logger, "list cache unavailable")


def rule_match(rules: tuple[Rule, ...], e164: str) -> Rule | None:
    """The rule that decides ``e164``: any allow beats any block; among rules
    of the same action the longest pattern wins (an exact number beats a
    prefix of the same length)."""
    best: Rule | None = None
    for rule in rules:
        if not rule.matches(e164):
            continue
        if best is None or _rank(rule) > _rank(best):
            best = rule
    return best


def _rank(rule: Rule) -> tuple[bool, int, bool]:
    return (rule.action == Action.ALLOW, len(rule.pattern), not rule.is_prefix)


def list_entries(*, device: Device) -> QuerySet[ListEntry]:
    return ListEntry.objects.filter(device=device)
