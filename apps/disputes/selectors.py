"""Reads for reviewers: the evidence on a disputed number, and the dashboard."""

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.reports.models import Category, Report, Source, Verification
from apps.reputation.models import Override, Reputation, Verdict

from .models import OPEN_STATUSES, Dispute

EVIDENCE_DAYS = 30
RECENT_COMMENTS = 5
TOP_NUMBERS = 10

# (label, lower bound inclusive, upper bound exclusive) of a device's age when
# it filed its report: a burst of reports from brand-new devices is a sign of
# a campaign against the number rather than of many real victims.
DEVICE_AGE_BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("under 2 days", timedelta(0), timedelta(days=2)),
    ("2 to 30 days", timedelta(days=2), timedelta(days=30)),
    ("over 30 days", timedelta(days=30), None),
)

# (label, lower bound inclusive, upper bound exclusive) of a dispute's age.
DISPUTE_AGE_BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("under 1 day", timedelta(0), timedelta(days=1)),
    ("1 to 7 days", timedelta(days=1), timedelta(days=7)),
    ("7 to 30 days", timedelta(days=7), timedelta(days=30)),
    ("over 30 days", timedelta(days=30), None),
)


@dataclasses.dataclass(frozen=True)
class NumberEvidence:
    number: str
    days: list[tuple[date, int]]  # Active reports per day, oldest first.
    total: int  # Active reports, all time.
    categories: list[tuple[str, int]]  # (label, count), largest first.
    failed_verification: int
    reporters: int  # Distinct devices.
    ftc_complaints: int
    device_ages: list[tuple[str, int]]
    comments: list[dict[str, Any]]
    reputation: Reputation | None
    override: Override | None

    @property
    def failed_verification_share(self) -> float:
        return self.failed_verification / self.total if self.total else 0.0

    @property
    def failed_verification_percent(self) -> str:
        return f"{self.failed_verification_share:.0%}"


def _day_series(
    rows: dict[date, int], *, end: date, days: int
) -> list[tuple[date, int]]:
    start = end - timedelta(days=days - 1)
    return [
        (start + timedelta(days=i), rows.get(start + timedelta(days=i), 0))
        for i in range(days)
    ]


def _per_day(
    queryset, *, field: str, now: datetime, days: int
) -> list[tuple[date, int]]:
    first_day = now.date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=now.tzinfo)
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
    )
    return _day_series(
        {row["day"]: row["n"] for row in rows}, end=now.date(), days=days
    )


def age_condition(
    field: str, reference: Any, low: timedelta, high: timedelta | None
) -> Q:
    """Rows whose ``field`` lies in (reference - high, reference - low].

    The youngest bucket (``low`` zero) also takes rows stamped after the
    reference, so a clock running ahead loses no row.
    """
    condition = Q()
    if low:
        condition &= Q(**{f"{field}__lte": reference - low})
    if high is not None:
        condition &= Q(**{f"{field}__gt": reference - high})
    return condition


def number_evidence(number: str, *, now: datetime | None = None) -> NumberEvidence:
    """Everything a reviewer weighs before deciding a dispute on ``number``."""
    now = now or timezone.now()
    reports = Report.objects.filter(number=number, active=True)
    labels = dict(Category.choices)

    totals = reports.aggregate(
        total=Count("id"),
        failed=Count("id", filter=Q(verification=Verification.FAILED)),
        reporters=Count("device", distinct=True),
        ftc=Count("id", filter=Q(source=Source.FTC)),
        **{
            f"age_{i}": Count(
                "id",
                filter=age_condition("device__created_at", F("created_at"), low, high),
            )
            for i, (_, low, high) in enumerate(DEVICE_AGE_BUCKETS)
        },
    )
    categories = [
        (labels.get(row["category"], row["category"]), row["n"])
        for row in reports.values("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")
    ]
    comments = [
        {
            "at": row["created_at"],
            "category": labels.get(row["category"], ""),
            "comment": row["comment"],
        }
        for row in reports.exclude(comment="")
        .order_by("-created_at")
        .values("created_at", "category", "comment")[:RECENT_COMMENTS]
    ]
    return NumberEvidence(
        number=number,
        days=_per_day(reports, field="called_at", now=now, days=EVIDENCE_DAYS),
        total=totals["total"],
        categories=categories,
        failed_verification=totals["failed"],
        reporters=totals["reporters"],
        ftc_complaints=totals["ftc"],
        device_ages=[
            (label, totals[f"age_{i}"])
            for i, (label, _, _) in enumerate(DEVICE_AGE_BUCKETS)
        ],
        comments=comments,
        reputation=Reputation.objects.filter(number=number).first(),
        override=Override.objects.filter(number=number, lifted_at__isnull=True)
        .select_related("created_by")
        .first(),
    )


def disputes_by_age(*, now: datetime) -> list[tuple[str, int]]:
    """Open (and in-review) disputes counted per age bucket."""
    counts = Dispute.objects.filter(status__in=OPEN_STATUSES).aggregate(
        **{
            f"age_{i}": Count("id", filter=age_condition("created_at", now, low, high))
            for i, (_, low, high) in enumerate(DISPUTE_AGE_BUCKETS)
        }
    )
    return [
        (label, counts[f"age_{i}"])
        for i, (label, _, _) in enumerate(DISPUTE_AGE_BUCKETS)
    ]


@dataclasses.dataclass(frozen=True)
class DashboardSummary:
    days: list[tuple[date, int]]  # Reports received per day, oldest first.
    top_numbers: list[dict[str, Any]]  # Most reported numbers in the last 7 days.
    verdicts: list[tuple[str, int]]
    disputes_by_age: list[tuple[str, int]]
    open_disputes: int


def dashboard_summary(*, now: datetime) -> DashboardSummary:
    week_ago = now - timedelta(days=7)
    top = list(
        Report.objects.filter(created_at__gte=week_ago)
        .values("number")
        .annotate(reports=Count("id"), reporters=Count("device", distinct=True))
        .order_by("-reports", "number")[:TOP_NUMBERS]
    )
    verdicts_by_key = {
        row["verdict"]: row["n"]
        for row in Reputation.objects.values("verdict").annotate(n=Count("number"))
    }
    verdicts_now = dict(
        Reputation.objects.filter(
            number__in=[row["number"] for row in top]
        ).values_list("number", "verdict")
    )
    for row in top:
        row["verdict"] = verdicts_now.get(row["number"], Verdict.UNKNOWN)
    by_age = disputes_by_age(now=now)
    return DashboardSummary(
        days=_per_day(Report.objects.all(), field="created_at", now=now, days=30),
        top_numbers=top,
        verdicts=[
            (label, verdicts_by_key.get(key, 0)) for key, label in Verdict.choices
        ],
        disputes_by_age=by_age,
        open_disputes=sum(n for _, n in by_age),
    )
