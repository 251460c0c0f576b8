"""Publishing block-list versions from the numbers whose reputation changed.

``blocklist_update`` is called by aggregation inside its transaction. It
reads the reputations of the numbers it is given, works out what each
number's entry should be, writes the difference and, for every region
where a phone at any tier would see a difference, one new version with
its change rows. All reads and writes are set-based (chunked ``IN`` lists,
bulk inserts, grouped updates); the work grows with the number of changed
numbers, not with the size of the list. docs/blocklist.md has the design.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from apps.core import queue
from apps.reputation.models import Reputation, Verdict

from .models import (
    Action,
    BlocklistChange,
    BlocklistEntry,
    BlocklistRegion,
    BlocklistVersion,
)
from .regions import e164_digits, list_region_for_number, tier_sizes

logger = logging.getLogger(__name__)

# A key orders entries: a larger key ranks higher. Ties in rank go to the
# smaller number, so the order is total and the same on every database.
Key = tuple[float, int]
Content = tuple[str, str]  # (action, label)
Before = tuple[float, str, str, int]  # (rank, action, label, tier)
After = tuple[float, str, str]  # (rank, action, label)

WRITE_BATCH = 2000


def _chunk_size() -> int:
    limit = connection.features.max_query_params or 10_000
    return max(100, min(limit - 10, 10_000))


def _chunks(items: Sequence, size: int | None = None) -> Iterator[Sequence]:
    size = size or _chunk_size()
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key(rank: float, number: int) -> Key:
    return (rank, -number)


def _reason_codes(reasons) -> set[str]:
    """Reason codes, whether aggregation stores strings or small dicts."""
    codes: set[str] = set()
    if not isinstance(reasons, list):
        return codes
    for reason in reasons:
        if isinstance(reason, str):
            codes.add(reason)
        elif isinstance(reason, dict):
            for name in ("code", "kind", "reason"):
                value = reason.get(name)
                if isinstance(value, str):
                    codes.add(value)
    return codes


def entry_for_reputation(verdict: str, label: str, reasons) -> Content | None:
    """The (action, label) a reputation puts on phones, or None for no entry.

    A staff identify override (reason ``identify``) and a verified caller
    (an allow override with a label) are shown by name and never blocked; a
    crowd warning with a label is shown too; a block verdict blocks.
    Identification needs a label: without one there is nothing to show.
    """
    codes = _reason_codes(reasons)
    label = (label or "").strip()
    if "identify" in codes:
        return (Action.IDENTIFY, label) if label else None
    if verdict == Verdict.BLOCK:
        return (Action.BLOCK, label)
    if verdict == Verdict.WARN and label:
        return (Action.IDENTIFY, label)
    if verdict == Verdict.ALLOW and "override" in codes and label:
        return (Action.IDENTIFY, label)
    return None


def _rank(activity) -> float:
    try:
        value = float(activity)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


# --- Reading what the entries should be and what they are ------------------


def _desired(numbers: dict[str, int]) -> dict[tuple[str, int], After]:
    desired: dict[tuple[str, int], After] = {}
    for chunk in _chunks(list(numbers)):
        rows = Reputation.objects.filter(number__in=chunk).values_list(
            "number", "region", "verdict", "label", "reasons", "activity"
        )
        for number, region, verdict, label, reasons, activity in rows:
            content = entry_for_reputation(verdict, label, reasons)
            if content is None:
                continue
            digits = numbers[number]
            list_region = list_region_for_number(digits, region)
            if list_region is None:
                continue
            desired[(list_region, digits)] = (_rank(activity), *content)
    return desired


def _existing(digits: Iterable[int]) -> dict[tuple[str, int], Before]:
    existing: dict[tuple[str, int], Before] = {}
    for chunk in _chunks(sorted(set(digits))):
        rows = BlocklistEntry.objects.filter(number__in=chunk).values_list(
            "region", "number", "rank", "action", "label", "tier"
        )
        for region, number, rank, action, label, tier in rows:
            existing[(region, number)] = (rank, action, label, tier)
    return existing


def _heads_locked(
    regions: Iterable[str], sizes: list[int]
) -> dict[str, BlocklistRegion]:
    """The regions' heads, created when missing, locked in region order."""
    wanted = sorted(set(regions))
    BlocklistRegion.objects.bulk_create(
        [
            BlocklistRegion(
                region=region,
                tiers=sizes,
                boundaries=[None] * len(sizes),
                counts={},
            )
            for region in wanted
        ],
        ignore_conflicts=True,
    )
    heads = BlocklistRegion.objects.select_for_update().filter(region__in=wanted)
    return {head.region: head for head in heads.order_by("region")}


# --- Walking the rank order near a boundary ---------------------------------


def _at_or_above(region: str, bound: Key, offset: int) -> Key | None:
    """The entry ``offset`` places above ``bound`` in rank order (0: the
    lowest entry whose key is at least ``bound``)."""
    rank, number = bound[0], -bound[1]
    ties = list(
        BlocklistEntry.objects.filter(region=region, rank=rank, number__lte=number)
        .order_by("-number")
        .values_list("number", flat=True)[: offset + 1]
    )
    if len(ties) > offset:
        return _key(rank, ties[offset])
    rest = offset - len(ties)
    row = (
        BlocklistEntry.objects.filter(region=region, rank__gt=rank)
        .order_by("rank", "-number")
        .values_list("rank", "number")[rest : rest + 1]
    )
    found = list(row)
    return _key(*found[0]) if found else None


def _below(region: str, bound: Key, offset: int) -> Key | None:
    """The entry ``offset`` places below ``bound`` (0: the highest entry whose
    key is less than ``bound``)."""
    rank, number = bound[0], -bound[1]
    ties = list(
        BlocklistEntry.objects.filter(region=region, rank=rank, number__gt=number)
        .order_by("number")
        .values_list("number", flat=True)[: offset + 1]
    )
    if len(ties) > offset:
        return _key(rank, ties[offset])
    rest = offset - len(ties)
    row = (
        BlocklistEntry.objects.filter(region=region, rank__lt=rank)
        .order_by("-rank", "number")
        .values_list("rank", "number")[rest : rest + 1]
    )
    found = list(row)
    return _key(*found[0]) if found else None


def _nth_from_top(region: str, position: int) -> Key | None:
    row = list(
        BlocklistEntry.objects.filter(region=region)
        .order_by("-rank", "number")
        .values_list("rank", "number")[position : position + 1]
    )
    return _key(*row[0]) if row else None


def _between(region: str, low: Key | None, high: Key) -> list[tuple]:
    """Entries with ``low <= key < high`` (no lower bound for None)."""
    rows = BlocklistEntry.objects.filter(region=region, rank__lte=high[0])
    if low is not None:
        rows = rows.filter(rank__gte=low[0])
    found = []
    for number, rank, action, label, tier in rows.values_list(
        "number", "rank", "action", "label", "tier"
    ):
        key = _key(rank, number)
        if key < high and (low is None or key >= low):
            found.append((number, rank, action, label, tier))
    return found


def _decode(boundary) -> Key | None:
    return None if boundary is None else _key(float(boundary[0]), int(boundary[1]))


def _encode(key: Key | None) -> list | None:
    return None if key is None else [key[0], -key[1]]


def _tier_of(key: Key, boundaries: list[Key | None]) -> int:
    for index, bound in enumerate(boundaries):
        if bound is None or key >= bound:
            return index
    return len(boundaries)


# --- Applying one region's changes ------------------------------------------


@dataclass
class _Change:
    number: int
    old_tier: int
    new_tier: int
    old: Content = ("", "")
    new: Content = ("", "")


@dataclass
class _RegionResult:
    region: str
    version: int | None = None
    changes: list[_Change] = field(default_factory=list)


def _write_entries(
    region: str,
    touched: dict[int, tuple[Before | None, After | None]],
    placeholder: int,
) -> None:
    """Upsert the entries that stay or arrive, delete those that leave.

    A new entry gets ``placeholder`` as its tier and a changed one keeps its
    stored tier until the boundaries are known.
    """
    upserts = [
        BlocklistEntry(
            region=region,
            number=number,
            rank=after[0],
            action=after[1],
            label=after[2],
            tier=before[3] if before else placeholder,
        )
        for number, (before, after) in touched.items()
        if after is not None
    ]
    BlocklistEntry.objects.bulk_create(
        upserts,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["region", "number"],
        update_fields=["rank", "action", "label"],
    )
    gone = sorted(number for number, (_, after) in touched.items() if after is None)
    for chunk in _chunks(gone):
        BlocklistEntry.objects.filter(region=region, number__in=chunk).delete()


def _set_tiers(region: str, tiers: dict[int, int]) -> None:
    by_tier: dict[int, list[int]] = defaultdict(list)
    for number, tier in tiers.items():
        by_tier[tier].append(number)
    for tier, numbers in by_tier.items():
        for chunk in _chunks(sorted(numbers)):
            BlocklistEntry.objects.filter(region=region, number__in=chunk).update(
                tier=tier
            )


def _new_boundaries(
    head: BlocklistRegion,
    touched: dict[int, tuple[Before | None, After | None]],
    candidates: int,
) -> list[Key | None]:
    """Each tier's lowest entry after the change, walking from the old one.

    Before the change exactly ``size`` entries had a key at or above the old
    boundary; the touched entries say how many do now, and the new boundary
    is that many places away, so the walk is as long as the change is large.
    """
    boundaries: list[Key | None] = []
    for size, old in zip(
        head.tiers, (_decode(b) for b in head.boundaries), strict=True
    ):
        if candidates <= size:
            boundaries.append(None)
            continue
        if old is None:
            # The list just outgrew this tier: find its end once by position.
            boundaries.append(_nth_from_top(head.region, size - 1))
            continue
        above = size
        for number, (before, after) in touched.items():
            if before is not None and _key(before[0], number) >= old:
                above -= 1
            if after is not None and _key(after[0], number) >= old:
                above += 1
        if above >= size:
            boundaries.append(_at_or_above(head.region, old, above - size))
        else:
            boundaries.append(_below(head.region, old, size - above - 1))
    return boundaries


def _touched_changes(
    touched: dict[int, tuple[Before | None, After | None]],
    bounds: list[Key | None],
    out: int,
    tiers: dict[int, int],
) -> list[_Change]:
    """Changes of the entries given; their new tiers go into ``tiers``."""
    changes = []
    for number, (before, after) in touched.items():
        old_tier = before[3] if before else out
        new_tier = _tier_of(_key(after[0], number), bounds) if after else out
        old_content = (before[1], before[2]) if before else ("", "")
        new_content = (after[1], after[2]) if after else ("", "")
        if after is not None and new_tier != old_tier:
            tiers[number] = new_tier
        # A content change matters only to tiers that hold the entry throughout.
        if old_tier != new_tier or (
            old_content != new_content and max(old_tier, new_tier) < out
        ):
            changes.append(
                _Change(number, old_tier, new_tier, old_content, new_content)
            )
    return changes


def _crossed_changes(
    region: str,
    touched: dict[int, tuple[Before | None, After | None]],
    old_bounds: list[Key | None],
    new_bounds: list[Key | None],
    tiers: dict[int, int],
) -> list[_Change]:
    """Entries not given that a moved boundary passed: only those between a
    tier's old and new boundary can have changed tier."""
    crossed: dict[int, tuple] = {}
    for old, new in zip(old_bounds, new_bounds, strict=True):
        if old == new:
            continue
        if old is None or new is None:
            rows = _between(region, None, old or new)
        else:
            rows = _between(region, min(old, new), max(old, new))
        for row in rows:
            if row[0] not in touched:
                crossed[row[0]] = row
    changes = []
    for number, rank, action, label, stored in crossed.values():
        new_tier = _tier_of(_key(rank, number), new_bounds)
        if new_tier != stored:
            tiers[number] = new_tier
            content = (action, label)
            changes.append(_Change(number, stored, new_tier, content, content))
    return changes


def _region_apply(
    head: BlocklistRegion,
    touched: dict[int, tuple[Before | None, After | None]],
    now: datetime,
) -> _RegionResult:
    out = len(head.tiers)
    existed = sum(1 for before, _ in touched.values() if before is not None)
    arrived = sum(1 for before, after in touched.values() if not before and after)
    left = sum(1 for before, after in touched.values() if before and not after)
    candidates = head.candidates + arrived - left

    _write_entries(head.region, touched, out)
    old_bounds = [_decode(b) for b in head.boundaries]
    new_bounds = _new_boundaries(head, touched, candidates)
    tiers: dict[int, int] = {}
    result = _RegionResult(head.region)
    result.changes = _touched_changes(touched, new_bounds, out, tiers)
    if head.candidates > existed:  # A first load has no other entries to move.
        result.changes += _crossed_changes(
            head.region, touched, old_bounds, new_bounds, tiers
        )
    _set_tiers(head.region, tiers)

    head.boundaries = [_encode(bound) for bound in new_bounds]
    head.candidates = candidates
    if result.changes:
        result.version = head.version + 1
        _publish(head, result, now)
    head.save(
        update_fields=["boundaries", "candidates", "version", "counts", "updated_at"]
    )
    return result


def _publish(head: BlocklistRegion, result: _RegionResult, now: datetime) -> None:
    out = len(head.tiers)
    counts = defaultdict(int, head.counts or {})
    for change in result.changes:
        if change.old_tier < out:
            counts[change.old[0]] -= 1
        if change.new_tier < out:
            counts[change.new[0]] += 1
    head.counts = {action: count for action, count in sorted(counts.items()) if count}
    head.version = result.version
    head.updated_at = now
    BlocklistChange.objects.bulk_create(
        [
            BlocklistChange(
                region=head.region,
                version=result.version,
                number=change.number,
                old_tier=change.old_tier,
                new_tier=change.new_tier,
                old_action=change.old[0],
                old_label=change.old[1],
                action=change.new[0],
                label=change.new[1],
            )
            for change in sorted(result.changes, key=lambda change: change.number)
        ],
        batch_size=WRITE_BATCH,
    )
    BlocklistVersion.objects.create(
        region=head.region,
        version=result.version,
        created_at=now,
        counts=head.counts,
        size=sum(head.counts.values()),
        changes=len(result.changes),
    )


# --- Tiers changed in the settings: recompute the region once ---------------


def _region_reshape(head: BlocklistRegion, sizes: list[int], now: datetime) -> int:
    """Recompute every entry's tier for new tier sizes; a reset version.

    This reads the whole region once, so it runs only when the settings
    changed. Phones holding an older version get the full list next time.
    """
    region = head.region
    out = len(sizes)
    boundaries: list[Key | None] = [None] * len(sizes)
    counts: dict[str, int] = defaultdict(int)
    moved: dict[int, int] = {}
    position = 0
    rows = (
        BlocklistEntry.objects.filter(region=region)
        .order_by("-rank", "number")
        .values_list("number", "rank", "action", "tier")
    )
    for number, rank, action, stored in rows.iterator(chunk_size=10_000):
        tier = next((i for i, size in enumerate(sizes) if position < size), out)
        if tier < out and position == sizes[tier] - 1:
            boundaries[tier] = _key(rank, number)
        if tier < out:
            counts[action] += 1
        if tier != stored:
            moved[number] = tier
        position += 1
    # A tier is "full" only once the region has more candidates than it holds.
    boundaries = [
        bound if position > size else None
        for bound, size in zip(boundaries, sizes, strict=True)
    ]
    _set_tiers(region, moved)
    version = head.version + 1
    head.tiers = sizes
    head.boundaries = [_encode(bound) for bound in boundaries]
    head.candidates = position
    head.counts = {action: count for action, count in sorted(counts.items()) if count}
    head.version = version
    head.reset_version = version
    head.updated_at = now
    head.save()
    BlocklistVersion.objects.create(
        region=region,
        version=version,
        created_at=now,
        counts=head.counts,
        size=sum(head.counts.values()),
        reset=True,
    )
    logger.info(
        "block list reshaped for new tiers",
        extra={"region": region, "version": version, "tiers": sizes},
    )
    return version


# --- Retention --------------------------------------------------------------


def _prune(head: BlocklistRegion, now: datetime) -> None:
    """Forget deltas older than both retention limits.

    A version stays a valid ``since`` while its row exists, and the change
    rows after it are kept with it; everything before the floor goes.
    """
    floor = head.version - settings.BLOCKLIST_DELTA_RETENTION
    cutoff = now - timedelta(days=settings.BLOCKLIST_DELTA_RETENTION_DAYS)
    recent = (
        BlocklistVersion.objects.filter(region=head.region, created_at__gte=cutoff)
        .order_by("version")
        .values_list("version", flat=True)[:1]
    )
    floor = min([floor, *recent])
    if floor <= 1:
        return
    dropped, _ = BlocklistVersion.objects.filter(
        region=head.region, version__lt=floor
    ).delete()
    if dropped:
        BlocklistChange.objects.filter(region=head.region, version__lte=floor).delete()
        logger.info(
            "block-list deltas pruned",
            extra={"region": head.region, "floor": floor, "versions": dropped},
        )


# --- The entry point aggregation calls --------------------------------------


def blocklist_update(*, numbers: Iterable[str], now: datetime) -> list[tuple[str, int]]:
    """Bring the entries of ``numbers`` (E.164) in line with their reputation.

    Returns the ``(region, version)`` pairs published. Each new version's
    push is enqueued to run after the surrounding transaction commits.
    """
    parsed: dict[str, int] = {}
    for number in numbers:
        digits = e164_digits(number) if isinstance(number, str) else None
        if digits is not None:
            parsed[number] = digits
    if not parsed:
        return []

    sizes = tier_sizes()
    published: list[tuple[str, int]] = []
    with transaction.atomic():
        desired = _desired(parsed)
        regions = {region for region, _ in desired}
        regions.update(filter(None, map(list_region_for_number, parsed.values())))
        heads = _heads_locked(regions, sizes)
        existing = _existing(parsed.values())
        strays = {region for region, _ in existing} - heads.keys()
        if strays:
            # Only a non-geographic number (+800...) whose reputation changed
            # region lands here; its old region is locked after the others.
            heads.update(_heads_locked(strays, sizes))
        reshaped = [head for head in heads.values() if head.tiers != sizes]
        for head in reshaped:
            published.append((head.region, _region_reshape(head, sizes, now)))
        if reshaped:
            existing = _existing(parsed.values())

        touched: dict[str, dict[int, tuple[Before | None, After | None]]] = defaultdict(
            dict
        )
        for key in desired.keys() | existing.keys():
            before, after = existing.get(key), desired.get(key)
            if before is not None and after is not None and before[:3] == after:
                continue
            touched[key[0]][key[1]] = (before, after)

        for region in sorted(touched):
            head = heads[region]
            result = _region_apply(head, touched[region], now)
            if result.version is None:
                continue
            published.append((region, result.version))
            _prune(head, now)
            logger.info(
                "block-list version published",
                extra={
                    "region": region,
                    "version": result.version,
                    "changes": len(result.changes),
                    "size": sum(head.counts.values()),
                },
            )

    _enqueue_pushes(published)
    return published


def _enqueue_pushes(published: list[tuple[str, int]]) -> None:
    from apps.push.tasks import send_blocklist_push_task

    latest: dict[str, int] = {}
    for region, version in published:
        latest[region] = max(version, latest.get(region, 0))
    for region, version in sorted(latest.items()):
        queue.enqueue(send_blocklist_push_task, region, version)
