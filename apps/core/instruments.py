"""CallGuard's own Prometheus metrics, and the functions that record them.

Call sites record through these functions, never through the metric objects,
so label values stay within a known, small set:

    instruments.lookup_observed(verdict, seconds)      # each number looked up
    instruments.report_created(category, source="app") # each report stored
    instruments.aggregation_observed(seconds, numbers) # each aggregation run
    instruments.push_failed(code)                      # each push send error

The aggregation queue depth (``ReportChange`` rows still to fold in) and the
age of the last aggregation run are read from the database when /metrics is
scraped, so they are right whichever process did the work.

With several processes (gunicorn workers, Celery) set
``PROMETHEUS_MULTIPROC_DIR`` to a shared, emptied-at-start directory, as
prometheus_client documents; /metrics then adds up every process's counts.
"""

import logging
import time

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

VERDICTS = frozenset({"block", "warn", "allow", "unknown"})
OTHER = "other"
CODE_MAX_LENGTH = 40

LOOKUP_SECONDS = Histogram(
    "callguard_lookup_seconds",
    "Time to answer one number lookup, from request to verdict.",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
LOOKUP_VERDICTS = Counter(
    "callguard_lookup_verdicts",
    "Numbers looked up, by the verdict answered.",
    ["verdict"],
)
REPORTS = Counter(
    "callguard_reports",
    "Reports stored, by category and source.",
    ["category", "source"],
)
AGGREGATION_SECONDS = Histogram(
    "callguard_aggregation_seconds",
    "Duration of one aggregation run.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
AGGREGATION_NUMBERS = Counter(
    "callguard_aggregation_numbers",
    "Numbers whose reputation aggregation recomputed.",
)
PUSH_ERRORS = Counter(
    "callguard_push_errors",
    "Push messages that failed to send, by the provider's error code.",
    ["code"],
)


def _bounded(value: str, allowed: frozenset[str] | None = None) -> str:
    value = str(value or "").strip().lower()
    if allowed is not None:
        return value if value in allowed else OTHER
    return value[:CODE_MAX_LENGTH] or OTHER


def lookup_observed(verdict: str, seconds: float) -> None:
    """One lookup answered with ``verdict`` in ``seconds``."""
    LOOKUP_SECONDS.observe(max(seconds, 0.0))
    LOOKUP_VERDICTS.labels(verdict=_bounded(verdict, VERDICTS)).inc()


def report_created(category: str, source: str = "app") -> None:
    """One report stored (not a replayed or rejected one)."""
    REPORTS.labels(category=_bounded(category), source=_bounded(source)).inc()


def aggregation_observed(seconds: float, numbers: int) -> None:
    """One aggregation run took ``seconds`` and recomputed ``numbers``."""
    AGGREGATION_SECONDS.observe(max(seconds, 0.0))
    AGGREGATION_NUMBERS.inc(max(numbers, 0))


def push_failed(code: str) -> None:
    """One push message failed with the provider's error ``code``."""
    PUSH_ERRORS.labels(code=_bounded(code)).inc()


class QueueCollector(Collector):
    """Gauges read from the database at scrape time."""

    def collect(self):
        from apps.reports.models import ReportChange
        from apps.reputation.models import AggregationState

        try:
            pending = ReportChange.objects.count()
            state = AggregationState.objects.filter(pk=1).first()
        except Exception:
            # A scrape while the database is down shows the gap, not an error.
            logger.warning("metrics: database unavailable", exc_info=True)
            return
        yield GaugeMetricFamily(
            "callguard_aggregation_pending_changes",
            "Report changes waiting for the next aggregation run.",
            value=pending,
        )
        if state is not None and state.last_run_at is not None:
            yield GaugeMetricFamily(
                "callguard_aggregation_last_run_age_seconds",
                "Seconds since the last aggregation run finished.",
                value=max(time.time() - state.last_run_at.timestamp(), 0.0),
            )
            yield GaugeMetricFamily(
                "callguard_aggregation_watermark",
                "Id of the last report change aggregation folded in.",
                value=state.last_change_id,
            )
