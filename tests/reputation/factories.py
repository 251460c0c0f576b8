"""Votes straight into the database, as the report endpoints would leave
them: a `Report` row plus its `ReportChange` row."""

from datetime import UTC, datetime, timedelta

from apps.devices.models import Device
from apps.reports.models import Category, Report, ReportChange, Source
from apps.reputation.models import Reputation
from apps.reputation.services import RunSummary, reports_aggregate
from tests.conftest import make_device

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def voter(*, age_days: float = 60, now: datetime = NOW, **fields) -> Device:
    """A device registered ``age_days`` before ``now``."""
    joined = now - timedelta(days=age_days)
    device, _ = make_device(created_at=joined, updated_at=joined, **fields)
    return device


def vote(
    number: str,
    *,
    device: Device | None = None,
    category: str = Category.SCAM,
    days_ago: float = 1,
    now: datetime = NOW,
    verification: str = "",
    consumer_area_code: str = "",
    active: bool = True,
    region: str = "US",
) -> Report:
    """One vote on ``number``: from ``device``, or an FTC complaint if None."""
    called = now - timedelta(days=days_ago)
    report = Report.objects.create(
        source=Source.APP if device is not None else Source.FTC,
        device=device,
        number=number,
        number_region=region,
        category=category,
        called_at=called,
        created_at=called + timedelta(minutes=5),
        verification=verification,
        consumer_area_code=consumer_area_code,
        active=active,
    )
    ReportChange.objects.create(number=number)
    return report


def votes(number: str, count: int, *, age_days: float = 60, **options) -> list[Report]:
    """``count`` votes on ``number``, each from its own device."""
    now = options.get("now", NOW)
    return [
        vote(number, device=voter(age_days=age_days, now=now), **options)
        for _ in range(count)
    ]


def aggregate(now: datetime = NOW) -> RunSummary:
    return reports_aggregate(now=now)


def reputation(number: str) -> Reputation:
    return Reputation.objects.get(number=number)


def touch(*numbers: str) -> None:
    """Queue numbers for the next run, as an override or retraction does."""
    ReportChange.objects.bulk_create([ReportChange(number=n) for n in numbers])
