"""Reads of the block list: what a phone at ``since`` needs, as gzipped JSON.

A full list or a delta is built from one consistent snapshot of the head and
the entries (or change rows), serialized by hand (a million entries go
through no serializer), gzipped once and cached under its region, version,
tier and ``since``, which fix its content for good.
"""

import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q

from apps.core.degraded import log_unavailable

from .models import BlocklistChange, BlocklistEntry, BlocklistRegion, BlocklistVersion
from .regions import tier_for_limit, tier_sizes

logger = logging.getLogger(__name__)

ROWS_PER_CHUNK = 10_000
GZIP_LEVEL = 6


@dataclass(frozen=True)
class Plan:
    """What answers a request: a full list, or the delta from ``since``."""

    region: str
    version: int
    tier: int  # index into the head's tier sizes
    limit: int  # that tier's size
    since: int | None  # None: the full list

    @property
    def full(self) -> bool:
        return self.since is None

    @property
    def etag(self) -> str:
        """Names the list the answer leads to, whatever it starts from.

        A phone holding version ``v`` sends ``since=v`` with the tag of
        ``v``: 304 exactly when ``v`` is still the latest. For one URL
        (``since`` fixed) the version decides the body, so the tag is a
        valid validator of each URL.
        """
        return f'W/"bl-{self.region}-{self.version}-{self.limit}"'

    @property
    def cache_key(self) -> str:
        since = "full" if self.since is None else str(self.since)
        return f"blocklist:{self.region}:{self.version}:{self.limit}:{since}"


@dataclass(frozen=True)
class Answer:
    plan: Plan
    body: bytes | None  # gzipped JSON; None when the phone's copy is current


def _plan(region: str, limit: int | None, since: int | None) -> Plan:
    """Raises ValueError when ``limit`` is below the smallest tier."""
    head = BlocklistRegion.objects.filter(region=region).first()
    sizes = head.tiers if head is not None and head.tiers else tier_sizes()
    version = head.version if head is not None else 0
    tier = tier_for_limit(limit, sizes)
    usable = since is not None and (
        since == version
        or (
            head is not None
            and head.reset_version <= since < version
            and BlocklistVersion.objects.filter(region=region, version=since).exists()
        )
    )
    return Plan(region, version, tier, sizes[tier], since if usable else None)


def _label_json(label: str, memo: dict[str, str]) -> str:
    encoded = memo.get(label)
    if encoded is None:
        encoded = memo[label] = json.dumps(label)
    return encoded


def _entries_json(rows: Iterable[tuple[int, str, str]]) -> Iterator[str]:
    """Entries as JSON objects, in chunks of text, comma-separated."""
    labels: dict[str, str] = {}
    chunk: list[str] = []
    for number, action, label in rows:
        chunk.append(
            f'{{"number":{number},"action":"{action}",'
            f'"label":{_label_json(label, labels)}}}'
        )
        if len(chunk) >= ROWS_PER_CHUNK:
            yield ",".join(chunk)
            chunk = []
    if chunk:
        yield ",".join(chunk)


def _joined(parts: Iterator[str]) -> Iterator[str]:
    first = True
    for part in parts:
        yield part if first else "," + part
        first = False


def _full_parts(plan: Plan) -> Iterator[str]:
    yield (
        f'{{"region":"{plan.region}","version":{plan.version},'
        f'"limit":{plan.limit},"full":true,"entries":['
    )
    rows = (
        BlocklistEntry.objects.filter(region=plan.region, tier__lte=plan.tier)
        .order_by("number")
        .values_list("number", "action", "label")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    yield from _joined(_entries_json(rows))
    yield "]}"


def blocklist_delta(
    *, region: str, since: int, version: int, tier: int
) -> tuple[list[tuple[int, str, str]], list[int]]:
    """Entries added or changed, and numbers removed, between two versions
    for a phone holding the top ``tier``; both sorted by number.

    Each change row says which tier an entry left and which it entered; the
    first row after ``since`` says where the entry was, the last where it
    is. Rows that stay outside the tier cannot matter and are not read.
    """
    rows = (
        BlocklistChange.objects.filter(
            region=region, version__gt=since, version__lte=version
        )
        .filter(Q(old_tier__lte=tier) | Q(new_tier__lte=tier))
        .order_by("number", "version")
        .values_list(
            "number",
            "old_tier",
            "new_tier",
            "old_action",
            "old_label",
            "action",
            "label",
        )
    )
    added: list[tuple[int, str, str]] = []
    removed: list[int] = []
    first = last = None
    for row in rows.iterator(chunk_size=ROWS_PER_CHUNK):
        if first is not None and row[0] != first[0]:
            _fold(first, last, tier, added, removed)
            first = None
        if first is None:
            first = row
        last = row
    if first is not None:
        _fold(first, last, tier, added, removed)
    return added, removed


def _fold(first, last, tier: int, added: list, removed: list) -> None:
    was_in, is_in = first[1] <= tier, last[2] <= tier
    if was_in and not is_in:
        removed.append(first[0])
    elif is_in and (not was_in or (first[3], first[4]) != (last[5], last[6])):
        added.append((last[0], last[5], last[6]))


def _delta_parts(plan: Plan) -> Iterator[str]:
    added, removed = blocklist_delta(
        region=plan.region, since=plan.since, version=plan.version, tier=plan.tier
    )
    yield (
        f'{{"region":"{plan.region}","version":{plan.version},'
        f'"limit":{plan.limit},"since":{plan.since},"full":false,"added":['
    )
    yield from _joined(_entries_json(added))
    yield '],"removed":['
    yield ",".join(map(str, removed))
    yield "]}"


def _gzip(parts: Iterable[str]) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(part.encode()) for part in parts]
    out.append(compressor.flush())
    return b"".join(out)


def _cache_get(key: str) -> bytes | None:
    try:
        return cache.get(key)
    except Exception:
        log_unavailable(logger, "block-list cache unavailable")
        return None


def _cache_set(key: str, body: bytes) -> None:
    try:
        cache.set(key, body, timeout=settings.BLOCKLIST_CACHE_SECONDS)
    except Exception:
        log_unavailable(logger, "block-list cache unavailable")


class _Snapshot:
    """A read-only transaction that sees one moment of the database.

    On PostgreSQL a plain transaction lets each statement see newer commits,
    so the head could name one version and the entries show the next: the
    transaction is raised to REPEATABLE READ. SQLite transactions are
    snapshots already. Inside an enclosing transaction (tests), that one
    decides.
    """

    def __enter__(self):
        self._outer = connection.in_atomic_block
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if not self._outer:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # Every row of the cursor is read: plan for all of them, not
                # for the first tenth (which picks an index scan of the
                # whole region to avoid a sort).
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        return self

    def __exit__(self, *exc_info):
        return self._atomic.__exit__(*exc_info)


def blocklist_answer(
    *, region: str, limit: int | None, since: int | None, etags: Iterable[str] = ()
) -> Answer:
    """The gzipped answer for a phone, or no body when ``etags`` (from
    If-None-Match) already names it. Raises ValueError for a bad ``limit``.
    """
    tags = {tag.removeprefix("W/") for tag in etags}
    with _Snapshot():
        plan = _plan(region, limit, since)
        if "*" in tags or plan.etag.removeprefix("W/") in tags:
            return Answer(plan, None)

        body = _cache_get(plan.cache_key)
        if body is None:
            body = _gzip(_full_parts(plan) if plan.full else _delta_parts(plan))
            _cache_set(plan.cache_key, body)
    return Answer(plan, body)
