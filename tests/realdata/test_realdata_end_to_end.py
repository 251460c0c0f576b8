"""From the FTC's published complaints to a phone's lookup and block list.

The 1,100-row full-format file plus every complaint of the week about its
most reported number, replayed as today's feed, then aggregated: what a
phone is told must follow from how often each number was reported.
"""

import csv
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.numbers.normalize import normalize

pytestmark = pytest.mark.django_db

UNASSIGNED = "(273) 234-5678"  # NANPA: not in service; phonenumbers: valid


def complaints_about(path: Path, numbers: set[str], target: Path) -> Path:
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        column = header.index("Company_Phone_Number")
        rows = [row for row in reader if row[column] in numbers]
    with target.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerows([header, *rows])
    return target


def week_counts(path: Path) -> Counter:
    with path.open(newline="", encoding="utf-8") as source:
        return Counter(row["Company_Phone_Number"] for row in csv.DictReader(source))


def test_the_real_feed_blocks_the_most_reported_number_and_not_a_one_off(
    phone, nanpa_file, full_fields_file, full_week_file, tmp_path
):
    counts = week_counts(full_week_file)
    [(most_reported, complaints)] = counts.most_common(1)
    one_off = next(
        raw
        for raw, count in counts.items()
        if count == 1 and normalize(raw, "US").is_valid
    )
    week = complaints_about(
        full_week_file, {most_reported, one_off}, tmp_path / "w.csv"
    )
    assert complaints > 50

    call_command("import_nanpa", str(nanpa_file), stdout=StringIO())
    call_command(
        "import_ftc", str(full_fields_file), str(week), replay=True, stdout=StringIO()
    )
    call_command("aggregate_reports", stdout=StringIO())

    blocked = phone.get("/api/v1/lookup/", {"number": most_reported}).json()
    assert blocked["verdict"] == "block"
    assert blocked["label"]
    assert "crowd_reports" in blocked["reasons"]
    assert blocked["counts"]["spam"] >= complaints
    once = phone.get("/api/v1/lookup/", {"number": one_off}).json()
    assert once["verdict"] != "block"
    assert once["counts"]["spam"] == 1
    unassigned = phone.get("/api/v1/lookup/", {"number": UNASSIGNED}).json()
    assert unassigned["verdict"] == "block"
    assert unassigned["reasons"][:2] == ["invalid_number", "area_code_not_in_service"]

    listed = phone.get("/api/v1/blocklist/", {"region": "US"}).json()
    entries = {entry["number"]: entry for entry in listed["entries"]}
    blocked_digits = int(normalize(most_reported, "US").digits)
    assert entries[blocked_digits]["action"] == "block"
    assert int(normalize(one_off, "US").digits) not in entries
