"""Benchmark: aggregation against a bare GROUP BY over the same reports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/callguard \\
        .venv/bin/python bench/aggregate.py [--numbers 100000] [--per-number 10]

Everything runs in a scratch database ``<name>_bench_agg`` that is created,
migrated and dropped by this script; the named database is not touched. In
one run it:

1. COPYs 50,000 devices and 1,000,000 reports over 100,000 numbers (one
   vote per device and number; a tenth FTC complaints; a mix of categories,
   verification results, call dates over 60 days and device ages);
2. recomputes every reputation from scratch (the daily run: the reputation
   pass, then the device-trust refresh, timed apart), target < 60 s;
3. adds 10,000 new reports (and their change-log rows) and times the
   incremental run that folds them in, target < 2 s;
4. times a bare ``GROUP BY number`` over the same table (count, spam count,
   a sum), best of three: the floor any per-number aggregation pays,
   and prints the ratio.

Block-list publication runs inside the timed runs, as in production.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.devices.models import Device  # noqa: E402
from apps.reports.models import Category, Report, ReportChange  # noqa: E402
from apps.reputation import services  # noqa: E402
from apps.reputation.models import Reputation  # noqa: E402
from apps.reputation.services import (  # noqa: E402
    reports_aggregate,
    reputations_recompute_all,
)

DEVICES = 50_000
NEW_REPORTS = 10_000
FULL_TARGET, INCREMENTAL_TARGET = 60.0, 2.0
SPAM = [c for c in Category.values if c != Category.NOT_SPAM]
# Device k votes on number n for k = (7n + STRIDE*j) mod DEVICES, j < per
# number: distinct devices per number, as the one-vote constraint wants.
STRIDE = 5003


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--per-number", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    if args.per_number * STRIDE >= DEVICES * 2:
        print("--per-number is too large for the device stride")
        return 2

    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"{connection.settings_dict['NAME']}_bench_agg"
    )
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return _run(args.numbers, args.per_number)
    finally:
        teardown_databases(old_config, verbosity=0)


def _number(n: int) -> str:
    return f"+1{2012000000 + n * 37}"


def _copy(model, rows) -> None:
    """COPY ``rows`` (dicts of field values) into ``model``'s table, every
    other column at its field default."""
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)
    ]
    defaults = [f.get_default() for f in fields]
    table = model._meta.db_table
    columns = ", ".join(f.column for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        row.get(f.attname, d)
                        for f, d in zip(fields, defaults, strict=True)
                    ]
                )
        cursor.execute(f"ANALYZE {table}")


def _seed(numbers: int, per_number: int, now) -> list[uuid.UUID]:
    rng = random.Random(7)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(DEVICES)]
    _copy(
        Device,
        (
            {
                "id": i,
                "platform": "android",
                "region": "US",
                "created_at": now - timedelta(days=rng.uniform(0, 400)),
                "updated_at": now,
            }
            for i in ids
        ),
    )

    def reports():
        for n in range(numbers):
            number = _number(n)
            spammy = rng.random() < 0.7
            for j in range(per_number):
                called = now - timedelta(days=rng.uniform(0, 60))
                ftc = j == 0  # One FTC complaint per number: a tenth.
                if spammy or rng.random() < 0.2:
                    category = SPAM[(n + j) % len(SPAM)]
                else:
                    category = Category.NOT_SPAM
                yield {
                    "source": "ftc" if ftc else "app",
                    "device_id": None if ftc else ids[(7 * n + STRIDE * j) % DEVICES],
                    "number": number,
                    "number_region": "US",
                    "category": category,
                    "called_at": called,
                    "created_at": called + timedelta(minutes=3),
                    "verification": rng.choice(["passed", "failed", "not_verified"]),
                    "consumer_area_code": rng.choice(["415", "212", "201"])
                    if ftc
                    else "",
                    "active": True,
                }

    _copy(Report, reports())
    return ids


# Where a run spends its time: the steps of apps.reputation.services, timed
# by wrapping them (the benchmark's own instrumentation, not the service's).
STEPS = {
    "evidence_for": "vote SQL",
    "reputations_write": "writes",
    "blocklist_update": "block lists",
    "reputation_cache_refresh": "cache",
    "reputation_cache_store": "cache",
}
spent: dict[str, float] = {}


def _instrument() -> None:
    for name, step in STEPS.items():
        original = getattr(services, name)

        def timed(*args, _original=original, _step=step, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_step] = spent.get(_step, 0.0) + time.perf_counter() - started

        setattr(services, name, timed)


def _breakdown(total: float) -> str:
    parts = [f"{step} {seconds:.2f}" for step, seconds in spent.items()]
    parts.append(f"other {total - sum(spent.values()):.2f}")
    spent.clear()
    return "; ".join(parts)


def _bare_group_by() -> float:
    table = Report._meta.db_table
    sql = (
        f"SELECT number, count(*), count(*) FILTER (WHERE category <> 'not_spam'), "
        f"sum(extract(epoch FROM called_at)) FROM {table} WHERE active "
        f"GROUP BY number"
    )
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(3):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            best = min(best, time.perf_counter() - started)
    return best


def _run(numbers: int, per_number: int) -> int:
    now = timezone.now()
    started = time.perf_counter()
    ids = _seed(numbers, per_number, now)
    total = Report.objects.count()
    print(
        f"seeded {DEVICES:,} devices and {total:,} reports over {numbers:,} "
        f"numbers in {time.perf_counter() - started:.1f} s"
    )

    _instrument()
    full = reputations_recompute_all(now=now)
    reputation_seconds = full.seconds - full.trust_seconds
    full_steps = _breakdown(reputation_seconds)
    verdicts = dict(Reputation.objects.values_list("verdict").annotate(n=Count("pk")))
    print(
        f"full recompute: {full.numbers:,} numbers in {reputation_seconds:.1f} s "
        f"(target < {FULL_TARGET:.0f} s), then trust of {full.devices:,} devices "
        f"in {full.trust_seconds:.1f} s; verdicts {verdicts}"
    )
    print(f"  seconds by step: {full_steps}")

    rng = random.Random(11)
    picked = rng.sample(range(numbers), min(NEW_REPORTS, numbers))
    later = now + timedelta(minutes=1)
    new = [
        Report(
            source="app",
            device_id=ids[(7 * n + STRIDE * per_number) % DEVICES],
            number=_number(n),
            number_region="US",
            category=SPAM[n % len(SPAM)],
            called_at=later - timedelta(minutes=5),
            created_at=later,
            verification="passed",
        )
        for n in picked
    ]
    Report.objects.bulk_create(new, batch_size=5000)
    ReportChange.objects.bulk_create(
        [ReportChange(number=r.number) for r in new], batch_size=5000
    )
    incremental = reports_aggregate(now=later)
    print(
        f"incremental: {incremental.changes:,} new reports on "
        f"{incremental.numbers:,} numbers in {incremental.seconds:.2f} s "
        f"(target < {INCREMENTAL_TARGET:.0f} s), "
        f"{incremental.verdict_changes:,} verdicts or labels changed"
    )
    print(f"  seconds by step: {_breakdown(incremental.seconds)}")

    bare = _bare_group_by()
    print(f"bare GROUP BY over {total:,} reports: {bare:.2f} s (best of 3)")
    print(f"full recompute / bare GROUP BY: {reputation_seconds / bare:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
