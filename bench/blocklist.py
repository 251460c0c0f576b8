"""Block-list sync: a big list served whole, and deltas that cost the change.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/blocklist.py

Creates a throwaway database next to the one in DATABASE_URL (``bench_``
prefix, dropped at the end; without DATABASE_URL a SQLite file in
DATA_DIR), loads ``--entries`` reputations (default 1,000,000) into the US
list and ``--small`` (default 100,000) into the GB list, publishes both, then
measures:

1. the full list: built cold (database, JSON, gzip), served warm (cache),
   and through the HTTP view; raw and gzipped size, bytes per entry;
2. ``--rounds`` rounds of ``--changes`` changes (default 1,000: a third new
   numbers, a third removed, a third relabelled and re-ranked) on each list:
   the time to publish the version and to serve the delta (cold), and the
   ratio big list / small list, which stays near 1 when the cost follows
   the change and not the list.

Times are printed, never checked: machines differ. docs/benchmarks.md has
figures from one run.
"""

import argparse
import gzip
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ["Spam likely", "Telemarketer", "Robocall", "Debt collector", "Survey"]
TIERS = [10_000, 50_000, 100_000]
REGIONS = {"US": ("+1", 2_012_000_000), "GB": ("+44", 7_400_000_000)}


def _number(region: str, index: int) -> str:
    prefix, base = REGIONS[region]
    return f"{prefix}{base + index}"


def _seed(region: str, count: int, rng: random.Random) -> None:
    from apps.reputation.models import Reputation

    batch = 20_000
    for start in range(0, count, batch):
        rows = []
        for index in range(start, min(start + batch, count)):
            warn = rng.random() < 0.1
            rows.append(
                Reputation(
                    number=_number(region, index),
                    region=region,
                    verdict="warn" if warn else "block",
                    label=rng.choice(LABELS),
                    activity=rng.uniform(0, 20),
                )
            )
        Reputation.objects.bulk_create(rows)


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def _answer(region: str, *, limit=None, since=None, cold=True):
    from django.core.cache import cache

    from apps.blocklist.selectors import blocklist_answer

    if cold:
        cache.clear()
    return _timed(blocklist_answer, region=region, limit=limit, since=since)


def _change(region: str, count: int, size: int, round_: int, rng: random.Random):
    """``count`` changes: new numbers, removals, relabels; their numbers."""
    from apps.reputation.models import Reputation

    third = count // 3
    new = [_number(region, size + round_ * count + i) for i in range(third)]
    existing = rng.sample(range(size), count - third)
    removed = [_number(region, i) for i in existing[:third]]
    relabelled = [_number(region, i) for i in existing[third:]]
    Reputation.objects.bulk_create(
        [
            Reputation(
                number=n,
                region=region,
                verdict="block",
                label="New campaign",
                activity=rng.uniform(0, 25),
            )
            for n in new
        ]
    )
    Reputation.objects.filter(number__in=removed).update(verdict="allow")
    for number in relabelled:
        Reputation.objects.filter(number=number).update(
            label=rng.choice(LABELS) + " (updated)", activity=rng.uniform(0, 25)
        )
    return new + removed + relabelled


def _size_line(what: str, body: bytes, entries: int, seconds: float) -> str:
    raw = len(gzip.decompress(body))
    per = f"{raw / entries:.1f} / {len(body) / entries:.2f}" if entries else "-"
    return (
        f"| {what} | {entries:,} | {raw:,} | {len(body):,} | {per} | "
        f"{seconds * 1000:,.1f} ms |"
    )


def run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from apps.blocklist.models import BlocklistRegion
    from apps.blocklist.services import blocklist_update
    from tests.conftest import make_device

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.BLOCKLIST_MAX_ENTRIES = max(args.entries, args.small)
    settings.BLOCKLIST_LIMIT_TIERS = TIERS
    rng = random.Random(5)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    sizes = {"US": args.entries, "GB": args.small}

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    for region, size in sizes.items():
        _, seconds = _timed(_seed, region, size, rng)
        print(f"seeded {size:,} {region} reputations in {seconds:.1f} s")
        numbers = [_number(region, i) for i in range(size)]
        _, seconds = _timed(blocklist_update, numbers=numbers, now=now)
        print(f"first publish of the {region} list in {seconds:.1f} s")

    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: plans need statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    header = "| answer | entries | raw bytes | gzipped bytes | bytes/entry raw / gz |"
    print(f"\n{header} time |")
    print("| --- | --- | --- | --- | --- | --- |")
    answer, cold = _answer("US")
    print(_size_line("US full list, built (cold)", answer.body, args.entries, cold))
    _, warm = _answer("US", cold=False)
    print(_size_line("US full list, from the cache", answer.body, args.entries, warm))
    _, secret = make_device(region="US")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_ACCEPT_ENCODING="gzip")
    client.get("/api/v1/blocklist/", {"region": "US", "limit": 10_000})  # warm-up
    _, http = _timed(client.get, "/api/v1/blocklist/", {"region": "US"})
    print(
        _size_line("US full list, HTTP view (cached)", answer.body, args.entries, http)
    )
    top, cold = _answer("US", limit=50_000)
    print(_size_line("US top 50,000, built (cold)", top.body, 50_000, cold))
    small, cold = _answer("GB")
    print(_size_line("GB full list, built (cold)", small.body, args.small, cold))

    publish: dict[str, list[float]] = {region: [] for region in sizes}
    serve: dict[str, list[float]] = {region: [] for region in sizes}
    print()
    for round_ in range(args.rounds):
        for region, size in sizes.items():
            changed = _change(region, args.changes, size, round_, rng)
            later = now + timedelta(minutes=round_ + 1)
            _, seconds = _timed(blocklist_update, numbers=changed, now=later)
            publish[region].append(seconds)
            version = BlocklistRegion.objects.get(region=region).version
            delta, seconds = _answer(region, since=version - 1)
            serve[region].append(seconds)
            if round_ == 0:
                raw = len(gzip.decompress(delta.body))
                print(
                    f"{region} delta of {len(changed):,} changes: {raw:,} bytes raw, "
                    f"{len(delta.body):,} gzipped"
                )

    print(f"\nmedian of {args.rounds} rounds of {args.changes:,} changes\n")
    print("| list | entries | publish the version | serve the delta (cold) |")
    print("| --- | --- | --- | --- |")
    for region, size in sizes.items():
        publish_ms = statistics.median(publish[region]) * 1000
        serve_ms = statistics.median(serve[region]) * 1000
        print(f"| {region} | {size:,} | {publish_ms:,.1f} ms | {serve_ms:,.1f} ms |")
    ratio_publish = statistics.median(publish["US"]) / statistics.median(publish["GB"])
    ratio_serve = statistics.median(serve["US"]) / statistics.median(serve["GB"])
    print(
        f"\nbig/small ratio ({args.entries // max(args.small, 1)}x the entries): "
        f"publish {ratio_publish:.2f}, serve {ratio_serve:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    logging.disable(logging.INFO)  # one line per push would drown the figures
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        database["TEST"]["NAME"] = str(
            Path(settings.DATA_DIR) / "bench_blocklist.sqlite3"
        )
    else:
        database["TEST"]["NAME"] = f"bench_{database['NAME']}"
    previous = setup_databases(verbosity=0, interactive=False)
    try:
        run(args)
    finally:
        teardown_databases(previous, verbosity=0)


if __name__ == "__main__":
    main()
