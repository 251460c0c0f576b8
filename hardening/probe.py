"""ORM work against a private stack's database, run as a child process.

``Stack.django(action, payload)`` runs ``python -m hardening.probe ACTION``
with the stack's environment, sends ``payload`` as JSON on stdin and reads
one JSON line back. Keeping this in a child process means a test run's own
Django (pointed at its test database) is never repointed.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta

import django

ACTIONS = {}


def action(func):
    ACTIONS[func.__name__.replace("_", "-")] = func
    return func


@action
def make_devices(payload: dict) -> list[dict]:
    """``count`` devices registered ``age_days`` ago (or between that and
    ``max_age_days``); returns their ids and secrets."""
    import random

    from django.utils import timezone

    from apps.devices.auth import token_new
    from apps.devices.models import Device

    rng = random.Random(payload.get("seed", 0))
    low = payload.get("age_days", 0)
    high = payload.get("max_age_days", low)
    out = []
    for _ in range(payload.get("count", 1)):
        created = timezone.now() - timedelta(days=rng.uniform(low, high))
        secret, hashed = token_new()
        device = Device.objects.create(
            token_hash=hashed,
            platform=payload.get("platform", "android"),
            region=payload.get("region", "US"),
            app_version="1.0.0",
            created_at=created,
            updated_at=created,
        )
        out.append({"id": str(device.id), "token": secret})
    return out


@action
def make_user(payload: dict) -> dict:
    """A Django user (staff or not) for admin and /metrics checks."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        payload["username"],
        password=payload["password"],
        is_staff=payload.get("is_staff", False),
    )
    return {"id": user.pk}


@action
def report_ids_present(payload: dict) -> list[int]:
    from apps.reports.models import Report

    return sorted(
        Report.objects.filter(id__in=payload["ids"]).values_list("id", flat=True)
    )


@action
def counts(payload: dict | None) -> dict:
    from apps.devices.models import Device
    from apps.reports.models import Report, ReportChange
    from apps.reputation.models import Reputation

    return {
        "devices": Device.objects.count(),
        "reports": Report.objects.count(),
        "changes": ReportChange.objects.count(),
        "reputations": Reputation.objects.count(),
    }


@action
def reputations(payload: dict | None) -> list[dict]:
    """Every reputation row, without the time it was computed at."""
    from django.forms.models import model_to_dict

    from apps.reputation.models import Reputation

    rows = []
    for row in Reputation.objects.order_by("number"):
        data = model_to_dict(row)
        for key in ("computed_at", "first_reported_at", "last_reported_at"):
            value = getattr(row, key)
            data[key] = value.isoformat() if value else None
        data.pop("computed_at")
        rows.append(data)
    return rows


@action
def seed(payload: dict) -> dict:
    """Devices and reports from a seed, identical for the same payload.

    ``anchor`` (ISO time) is "now" for the data, so two databases seeded with
    one payload hold the same rows. One change-log row per report, as the
    report service writes it.
    """
    import random

    from django.db import transaction
    from django.utils.dateparse import parse_datetime

    from apps.devices.auth import token_hash
    from apps.devices.models import Device
    from apps.reports.models import Category, Report, ReportChange

    rng = random.Random(payload["seed"])
    anchor = parse_datetime(payload["anchor"])
    pool = payload["numbers"]
    categories = [c.value for c in Category]
    with transaction.atomic():
        devices = []
        for index in range(payload["devices"]):
            created = anchor - timedelta(days=rng.uniform(0, 400))
            devices.append(
                Device(
                    token_hash=token_hash(f"seed-{payload['seed']}-{index}"),
                    platform="android",
                    region="US",
                    created_at=created,
                    updated_at=created,
                )
            )
        Device.objects.bulk_create(devices)
        reports, seen = [], set()
        while len(reports) < payload["reports"]:
            device = rng.choice(devices)
            number = rng.choice(pool)
            if (device.pk, number) in seen:
                continue
            seen.add((device.pk, number))
            called = anchor - timedelta(minutes=rng.uniform(1, 60 * 24 * 25))
            reports.append(
                Report(
                    device=device,
                    number=number,
                    number_region="US",
                    category=rng.choice(categories),
                    called_at=called,
                    created_at=called + timedelta(minutes=1),
                )
            )
        Report.objects.bulk_create(reports)
        ReportChange.objects.bulk_create(
            [ReportChange(number=report.number) for report in reports]
        )
    return {"devices": len(devices), "reports": len(reports)}


@action
def aggregate(payload: dict | None) -> dict:
    """Run aggregation in this process until the change log is empty."""
    from django.utils.dateparse import parse_datetime

    from apps.reputation.services import reports_aggregate

    now = parse_datetime(payload["now"]) if payload and payload.get("now") else None
    runs = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        summary = reports_aggregate(now=now)
        if summary.status == "busy":  # a worker's run holds the lock: wait
            time.sleep(0.2)
            continue
        runs.append(summary.as_dict())
        if not summary.more:
            return {"runs": runs}
    raise TimeoutError("aggregation stayed busy")


@action
def enqueue_aggregation(payload: dict | None) -> dict:
    """Send one aggregation task to the broker, as beat does."""
    from apps.reputation.tasks import aggregate_reports_task

    aggregate_reports_task.apply_async()
    return {"sent": True}


@action
def aggregation_state(payload: dict | None) -> dict:
    from apps.reputation.models import AggregationState

    state = AggregationState.objects.filter(pk=1).first()
    if state is None:
        return {}
    return {
        "last_change_id": state.last_change_id,
        "last_run_at": state.last_run_at.isoformat() if state.last_run_at else None,
        "runs": state.runs,
    }


@action
def numbers_without_reputation(payload: dict | None) -> list[str]:
    """Numbers with an active report but no reputation row."""
    from apps.reports.models import Report
    from apps.reputation.models import Reputation

    reported = set(
        Report.objects.filter(active=True).values_list("number", flat=True).distinct()
    )
    rated = set(Reputation.objects.values_list("number", flat=True))
    return sorted(reported - rated)


@action
def reports_for_numbers(payload: dict) -> dict[str, int]:
    """How many report rows each of ``numbers`` has."""
    from django.db.models import Count

    from apps.reports.models import Report

    rows = (
        Report.objects.filter(number__in=payload["numbers"])
        .values("number")
        .annotate(n=Count("id"))
    )
    return {row["number"]: row["n"] for row in rows}


@action
def verdicts(payload: dict) -> dict[str, str]:
    """The verdicts of ``numbers`` (after an aggregation run if asked)."""
    from apps.reputation.models import Reputation

    if payload.get("aggregate"):
        aggregate(None)

    rows = Reputation.objects.filter(number__in=payload["numbers"])
    return {row.number: row.verdict for row in rows}


def main() -> None:
    django.setup()
    name = sys.argv[1]
    raw = sys.stdin.read()
    payload = json.loads(raw) if raw.strip() else None
    result = ACTIONS[name](payload)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
