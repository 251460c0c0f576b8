"""Benchmark: the FTC importer against PostgreSQL's own COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/callguard \\
        .venv/bin/python bench/import_ftc.py [FILE]

FILE defaults to the 93,199-row week in ``$SHARED_DATA_DIR`` (``../shared/data``).
Everything runs in a scratch database ``<name>_bench_ftc`` that is created,
migrated and dropped by this script; the named database is not touched. In
one run it times:

1. PostgreSQL's COPY of the file into a bare four-column text table (best of
   three), the ceiling for getting these bytes into the server;
2. ``caller_id`` alone over the file's numbers, the ceiling for any importer
   that normalises every number;
3. the real importer (``apps.ftc.importer.import_file``) with each write
   method, on an empty reports table, and again on the full one (every row a
   duplicate);
4. COPY of the very rows the importer wrote straight into the (emptied)
   reports table with all its indexes: the ceiling for the write phase;

and prints rows per second with the ratio to COPY's rate (target: 1/3).
"""

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from apps.ftc.importer import WriteMethod, import_file  # noqa: E402
from apps.numbers.selectors import caller_id, inactive_area_codes_forget  # noqa: E402
from apps.numbers.services import area_codes_import  # noqa: E402
from apps.reports.models import Report, ReportChange  # noqa: E402

WEEK = "ftc_dnc_api_numbers_fullweek_2021-03-15_to_2021-03-21.csv"
NANPA = "nanpa_npa_report_2025-11-26.csv"
TARGET_RATIO = 1 / 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=None)
    args = parser.parse_args()
    path = args.file or settings.SHARED_DATA_DIR / WEEK
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    if not path.is_file():
        print(f"{path}: no such file (set SHARED_DATA_DIR or pass FILE)")
        return 2

    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"{connection.settings_dict['NAME']}_bench_ftc"
    )
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return _run(path)
    finally:
        teardown_databases(old_config, verbosity=0)


def _run(path: Path) -> int:
    nanpa = settings.SHARED_DATA_DIR / NANPA
    if nanpa.is_file():
        area_codes_import(path=nanpa)
    inactive_area_codes_forget()

    rows = _count_rows(path)
    copy_seconds = min(_bare_copy(path) for _ in range(3))
    copy_rate = rows / copy_seconds
    normalise_seconds = _normalise_only(path)
    print(f"file: {path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
    print(f"PostgreSQL {_server_version()}, Django {django.get_version()}")
    print(_line("PostgreSQL COPY into a bare table", copy_seconds, rows, copy_rate))
    print(_line("caller_id alone (no writes)", normalise_seconds, rows, copy_rate))

    outcome = 0
    write_rates = {}
    for method in WriteMethod:
        Report.objects.all().delete()
        ReportChange.objects.all().delete()
        first = import_file(path, method=method)
        again = import_file(path, method=method)
        print(_line(f"importer, {method} writer", first.seconds, rows, copy_rate))
        print(
            _line(
                f"  its write phase ({first.imported:,} rows)",
                first.write_seconds,
                first.imported,
                copy_rate,
            )
        )
        print(_line(f"importer, {method}, re-import", again.seconds, rows, copy_rate))
        write_rates[method] = first.imported / first.write_seconds
        if rows / first.seconds < TARGET_RATIO * copy_rate:
            outcome = 1
    imported = Report.objects.count()
    indexed_seconds = _copy_into_reports()
    print(
        _line(
            f"COPY of those {imported:,} rows into reports",
            indexed_seconds,
            imported,
            copy_rate,
        )
    )
    indexed_rate = imported / indexed_seconds
    for method, rate in write_rates.items():
        print(
            f"write phase, {method} writer, vs COPY into reports: "
            f"{rate / indexed_rate:.2f}"
        )
    verdict = "met" if not outcome else "NOT met"
    print(f"target: importer at >= 1/3 of bare COPY's rate: {verdict}")
    return outcome


def _count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return sum(1 for fields in csv.reader(file) if fields) - 1


def _bare_copy(path: Path) -> float:
    """Seconds for COPY ... FROM STDIN (CSV, HEADER) of the file's bytes."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    columns = ", ".join(f"c{index} text" for index in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ftc_copy")
        cursor.execute(f"CREATE TABLE bench_ftc_copy ({columns})")
        statement = "COPY bench_ftc_copy FROM STDIN WITH (FORMAT csv, HEADER)"
        started = time.perf_counter()
        with cursor.copy(statement) as copy, path.open("rb") as file:
            while chunk := file.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_ftc_copy")
    return seconds


def _copy_into_reports() -> float:
    """Seconds to COPY the imported reports back into the emptied table."""
    table = connection.ops.quote_name(Report._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Report._meta.concrete_fields
        if not field.primary_key
    )
    data = bytearray()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
            for chunk in copy:
                data += chunk
        cursor.execute(f"TRUNCATE {table}")
        started = time.perf_counter()
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(bytes(data))
        return time.perf_counter() - started


def _normalise_only(path: Path) -> float:
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = next(reader)
        column = header.index("Company_Phone_Number")
        numbers = [fields[column] for fields in reader if len(fields) == len(header)]
    started = time.perf_counter()
    for raw in numbers:
        caller_id(raw, "US")
    return time.perf_counter() - started


def _server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def _line(what: str, seconds: float, rows: int, copy_rate: float) -> str:
    rate = rows / seconds if seconds else 0.0
    return (
        f"{what:<40} {seconds:8.3f} s {rate:>12,.0f} rows/s"
        f"   {rate / copy_rate:6.3f} of COPY"
    )


if __name__ == "__main__":
    sys.exit(main())
