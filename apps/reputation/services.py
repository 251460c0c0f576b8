"""Aggregation runs: reports in, reputations (and block lists) out.

One run is one transaction. It locks the single `AggregationState` row
(``SKIP LOCKED``: a second run at the same time answers "busy" and does
nothing), takes the change log, recomputes the reputation of every number in
it from scratch, upserts the rows, tells the block lists which verdicts or
labels changed, deletes exactly the change rows it took and moves the
watermark. An exception anywhere rolls all of it back: the change rows stay
for the next run. After the commit the cached reputations are rewritten.

SQLite (the embedded default) has no row locks; there, runs are serialised
by SQLite's single writer and by tasks running in-process.
"""

import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.blocklist.services import blocklist_update, entry_for_reputation
from apps.core import instruments
from apps.reports.models import ReportChange

from .aggregation import all_numbers, evidence_for, region_of
from .cache import ABSENT, payload, reputation_cache_refresh, reputation_cache_store
from .models import AggregationState, Override, Reputation, Verdict
from .scoring import IDENTIFY, ActiveOverride, Published, Rules, reputation_fields
from .trust import device_trust_refresh
from .writes import reputations_write

logger = logging.getLogger(__name__)

STATE_ID = 1


@dataclass
class RunSummary:
    status: str  # "done" or "busy"
    full: bool
    changes: int = 0
    numbers: int = 0
    verdict_changes: int = 0
    devices: int = 0
    trust_seconds: float = 0.0
    more: bool = False
    watermark: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def reports_aggregate(*, now: datetime | None = None) -> RunSummary:
    """Fold the change log into reputations (the every-minute run)."""
    return _run(full=False, now=now or timezone.now())


def reputations_recompute_all(*, now: datetime | None = None) -> RunSummary:
    """Recompute every reputation (the daily run): old votes decay even when
    nothing new arrives; then refresh device trust from the new verdicts."""
    summary = _run(full=True, now=now or timezone.now())
    if summary.status == "done":
        started = time.monotonic()
        summary.devices = device_trust_refresh(
            rules=Rules.from_settings(), chunk_size=settings.AGGREGATION_CHUNK_SIZE
        )
        summary.trust_seconds = time.monotonic() - started
        summary.seconds += summary.trust_seconds
        logger.info("device trust refreshed", extra={"devices": summary.devices})
    return summary


def _state_ensure() -> None:
    if AggregationState.objects.filter(pk=STATE_ID).exists():
        return
    try:
        with transaction.atomic():
            AggregationState.objects.create(pk=STATE_ID)
    except IntegrityError:
        pass  # Another run created it first.


def _state_lock() -> AggregationState | None:
    """The state row, locked for this transaction; None if a run holds it."""
    return (
        AggregationState.objects.select_for_update(skip_locked=True)
        .filter(pk=STATE_ID)
        .first()
    )


def _run(*, full: bool, now: datetime) -> RunSummary:
    started = time.monotonic()
    rules = Rules.from_settings()
    chunk_size = settings.AGGREGATION_CHUNK_SIZE
    summary = RunSummary(status="done", full=full)
    _state_ensure()

    with transaction.atomic():
        state = _state_lock()
        if state is None:
            logger.info("aggregation skipped: another run holds the lock")
            return RunSummary(status="busy", full=full)

        # Incremental runs keep what phones will see of each recomputed
        # number, to cache it after the commit; a full run keeps only the
        # numbers (memory) and reads the rows back.
        recomputed: dict[str, Any] = {}
        changed: dict[str, None] = {}
        if full:
            _change_log_drain(summary)
            chunks = all_numbers(chunk_size)
        else:
            chunks = _change_log_pages(chunk_size, summary)
        for numbers, voted in chunks:
            moved, seen = _recompute(numbers, voted=voted, now=now, rules=rules)
            changed.update(dict.fromkeys(moved))
            recomputed.update(dict.fromkeys(numbers) if full else seen)
            _pause()

        summary.numbers = len(recomputed)
        summary.verdict_changes = len(changed)
        if changed:
            blocklist_update(numbers=list(changed), now=now)
        state.last_change_id = max(state.last_change_id, summary.watermark)
        state.last_run_at = now
        if full:
            state.last_full_run_at = now
        state.runs += 1
        state.save()
        summary.watermark = state.last_change_id
        if full:
            refresh = partial(reputation_cache_refresh, numbers=list(recomputed))
        else:
            refresh = partial(reputation_cache_store, entries=recomputed)
        transaction.on_commit(refresh)

    summary.seconds = time.monotonic() - started
    logger.info("aggregation run finished", extra=summary.as_dict())
    instruments.aggregation_observed(summary.seconds, summary.numbers)
    return summary


def _change_log_drain(summary: RunSummary) -> None:
    """Delete the whole visible change log before a full recompute.

    Every row deleted here was committed, with its report, before the
    recompute reads any report, so nothing it announced is missed.
    """
    last = ReportChange.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return
    summary.changes, _ = ReportChange.objects.filter(id__lte=last).delete()
    summary.watermark = last


def _change_log_pages(
    chunk_size: int, summary: RunSummary
) -> Iterator[tuple[list[str], bool | None]]:
    """Pages of the change log, each as its sorted distinct numbers (whose
    votes are unknown: None).

    A page's rows are deleted (exactly those ids) once the caller has
    recomputed its numbers, in the run's transaction. A row committed late
    with a lower id than one already taken is simply left for the next run.
    """
    limit = settings.AGGREGATION_MAX_CHANGES_PER_RUN
    while summary.changes < limit:
        size = min(chunk_size, limit - summary.changes)
        rows = list(
            ReportChange.objects.filter(id__gt=summary.watermark)
            .order_by("id")
            .values_list("id", "number")[:size]
        )
        if not rows:
            return
        ids = [row[0] for row in rows]
        yield sorted({row[1] for row in rows}), None
        ReportChange.objects.filter(id__in=ids).delete()
        summary.changes += len(ids)
        summary.watermark = ids[-1]
    summary.more = ReportChange.objects.filter(id__gt=summary.watermark).exists()


def _pause() -> None:
    pause = settings.AGGREGATION_CHUNK_PAUSE_SECONDS
    if pause > 0:
        time.sleep(pause)


def _recompute(
    numbers: list[str], *, voted: bool | None, now: datetime, rules: Rules
) -> tuple[list[str], dict[str, Any]]:
    """Recompute and upsert the reputations of ``numbers``; return those
    whose verdict, label or identify flag changed, and the lookup payload of
    each number (`ABSENT` for a number without a reputation).

    ``voted``: True if ``numbers`` are a contiguous run of voted numbers,
    False if none has votes, None if unknown.
    """
    if voted is False:
        evidence = {}
    else:
        evidence = evidence_for(numbers, now=now, rules=rules, contiguous=bool(voted))
    published: dict[str, Published] = {}
    activity_before: dict[str, float] = {}
    for row in Reputation.objects.filter(number__in=numbers).values(
        "number", "verdict", "label", "reasons", "activity"
    ):
        number = row["number"]
        published[number] = Published(
            row["verdict"], row["label"], tuple(row["reasons"])
        )
        activity_before[number] = row["activity"]
    overrides = {
        o.number: ActiveOverride(o.kind, o.label)
        for o in Override.objects.filter(number__in=numbers, lifted_at__isnull=True)
    }

    rows: list[dict] = []
    changed: list[str] = []
    payloads: dict[str, Any] = {}
    for number in numbers:
        ev, before = evidence.get(number), published.get(number)
        override = overrides.get(number)
        if ev is None and before is None and override is None:
            payloads[number] = ABSENT  # Never reputed and nothing to say now.
            continue

        fields = reputation_fields(
            number=number,
            evidence=ev,
            published=before,
            override=override,
            rules=rules,
            now=now,
        )
        if not fields["region"]:
            fields["region"] = region_of(number)
        rows.append(fields)
        payloads[number] = payload(fields)
        if _visible_change(before, fields) or _rank_change(
            activity_before.get(number), fields
        ):
            changed.append(number)

    reputations_write(rows, existing=published.keys())
    return changed, payloads


def _rank_change(activity_before: float | None, after: dict) -> bool:
    """A listed number whose activity moved: size-capped block lists rank by
    it, so the block list must hear of it even when nothing visible changed
    (a rank-only change publishes a version only if an entry crosses a tier).
    """
    # Activity is stored decayed to a fixed epoch: it moves only with new
    # votes, and a recomputation over the same votes differs by rounding.
    if activity_before is None or abs(activity_before - after["activity"]) < 1e-6:
        return False
    return (
        entry_for_reputation(after["verdict"], after["label"], after["reasons"])
        is not None
    )


def _visible_change(before: Published | None, after: dict) -> bool:
    """What block lists carry: verdict, label and the identify flag."""
    if before is None:
        return after["verdict"] != Verdict.UNKNOWN or bool(after["label"])
    return (
        before.verdict != after["verdict"]
        or before.label != after["label"]
        or (IDENTIFY in before.reasons) != (IDENTIFY in after["reasons"])
    )
