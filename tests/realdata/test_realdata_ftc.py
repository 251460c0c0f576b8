"""The FTC importer on the real published files, through ``import_ftc``.

Every expected count is derived in the test from the CSV itself, not copied
from a previous run.
"""

import csv
import re
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from apps.numbers.normalize import Kind, normalize
from apps.reports.models import Category, Report, ReportChange, Source

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
_COUNT_RE = re.compile(
    r"^\s+(rows read|imported|empty number|invalid number|duplicate|malformed row)"
    r"\s+([\d,]+)$",
    re.MULTILINE,
)


def import_ftc(*files: Path, **options) -> dict[str, int]:
    """Run the command; return the counts its summary printed (last file)."""
    out = StringIO()
    call_command(
        "import_ftc", *map(str, files), stdout=out, stderr=StringIO(), **options
    )
    return {
        name: int(value.replace(",", ""))
        for name, value in _COUNT_RE.findall(out.getvalue())
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def expected_counts(rows: list[dict[str, str]]) -> dict[str, int]:
    """What an import into an empty database must report, from the rows alone."""
    numbers = [row["Company_Phone_Number"].strip() for row in rows]
    empty = sum(1 for number in numbers if not number)
    invalid = sum(
        1
        for number in numbers
        if number and normalize(number, "US").kind is not Kind.VALID
    )
    ids = Counter(row["Complaint_ID"] for row in rows)
    assert max(ids.values()) == 1, "the published files have unique complaint ids"
    return {
        "rows read": len(rows),
        "imported": len(rows) - empty - invalid,
        "empty number": empty,
        "invalid number": invalid,
        "duplicate": 0,
        "malformed row": 0,
    }


def valid_numbers(rows: list[dict[str, str]]) -> list[str]:
    numbers = (normalize(row["Company_Phone_Number"], "US") for row in rows)
    return [number.e164 for number in numbers if number.kind is Kind.VALID]


def test_the_full_format_file_imports_every_row_with_a_valid_number(full_fields_file):
    rows = read_rows(full_fields_file)
    expected = expected_counts(rows)

    counts = import_ftc(full_fields_file)

    assert counts == expected
    assert expected["empty number"] == 50  # as the data's README says
    assert (
        Report.objects.filter(source=Source.FTC, device=None).count()
        == expected["imported"]
    )
    changed = set(ReportChange.objects.values_list("number", flat=True))
    assert changed == set(valid_numbers(rows))


def test_importing_the_same_file_twice_adds_nothing(full_fields_file):
    first = import_ftc(full_fields_file)
    reports, changes = Report.objects.count(), ReportChange.objects.count()

    second = import_ftc(full_fields_file)

    assert second["imported"] == 0
    assert second["duplicate"] == first["imported"]
    assert second["empty number"] == first["empty number"]
    assert (Report.objects.count(), ReportChange.objects.count()) == (reports, changes)


def test_a_complaint_is_stored_as_the_ftc_published_it(full_fields_file):
    row = read_rows(full_fields_file)[0]
    import_ftc(full_fields_file)

    report = Report.objects.get(source=Source.FTC, external_id=row["Complaint_ID"])

    number = normalize(row["Company_Phone_Number"], "US")
    filed = datetime.fromisoformat(row["Created_Date"]).replace(tzinfo=NEW_YORK)
    called = datetime.fromisoformat(row["Violation_Date"]).replace(tzinfo=NEW_YORK)
    assert (report.number, report.number_region) == (number.e164, number.region)
    assert report.created_at == filed
    assert report.called_at == called
    assert report.device is None
    assert report.consumer_area_code == row["Consumer_Area_Code"]
    assert report.recorded_message is {"Y": True, "N": False}.get(
        row["Recorded_Message_Or_Robocall"]
    )


@pytest.mark.parametrize(
    ("subject", "category"),
    [
        ("Dropped call or no message", Category.ROBOCALL),
        (
            "Calls pretending to be government, businesses, or family and friends",
            Category.SCAM,
        ),
        ("Warranties  & protection plans", Category.SCAM),
        ("Charities", Category.NONPROFIT),
        ("Medical  & prescriptions", Category.TELEMARKETING),
    ],
)
def test_each_subject_becomes_its_category(full_fields_file, subject, category):
    rows = read_rows(full_fields_file)
    ids = {
        row["Complaint_ID"]
        for row in rows
        if row["Subject"] == subject
        and normalize(row["Company_Phone_Number"], "US").kind is Kind.VALID
    }
    assert ids, f"the sample has complaints about {subject!r}"

    import_ftc(full_fields_file)

    stored = Report.objects.filter(external_id__in=ids).values_list(
        "category", flat=True
    )
    assert Counter(stored) == {category: len(ids)}


def test_every_subject_in_the_file_has_a_mapping(full_fields_file):
    out = StringIO()

    call_command("import_ftc", str(full_fields_file), stdout=out, stderr=StringIO())

    assert "unknown subjects" not in out.getvalue()


def test_a_malformed_row_is_counted_and_skipped(full_fields_file, tmp_path):
    with full_fields_file.open(newline="", encoding="utf-8") as source:
        lines = source.read().splitlines(keepends=True)
    good = read_rows(full_fields_file)
    broken = [
        "deadbeef01,2125550000,2021-03-01 10:00:00\r\n",  # three columns
        "deadbeef02,2129876543,yesterday,2021-03-01 09:00:00,"  # no filing date
        "Albany,New York,518,Other,Y\r\n",
    ]
    path = tmp_path / "broken.csv"
    path.write_text("".join([*lines[:100], *broken, *lines[100:]]), encoding="utf-8")

    counts = import_ftc(path)

    expected = expected_counts(good)
    assert counts == {
        **expected,
        "rows read": expected["rows read"] + 2,
        "malformed row": 2,
    }
    assert not Report.objects.filter(external_id__startswith="deadbeef").exists()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="the NANPA report"),
        pytest.param(b"", id="an empty file"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="a binary file"),
        pytest.param(b"name,phone\r\nAlice,2125550000\r\n", id="an unknown header"),
    ],
)
def test_a_file_that_is_not_an_ftc_file_is_refused_before_anything_is_written(
    full_fields_file, nanpa_file, tmp_path, content
):
    path = nanpa_file
    if content is not None:
        path = tmp_path / "other.csv"
        path.write_bytes(content)

    with pytest.raises(CommandError, match="not an FTC complaint file"):
        import_ftc(full_fields_file, path)  # the good file comes first

    assert not Report.objects.exists()
    assert not ReportChange.objects.exists()


def week_subset(full_week_file: Path, tmp_path: Path) -> Path:
    """The week's first 2,000 complaints plus every one whose number is odd.

    Importing all 93,199 rows takes ~12 s on SQLite; this keeps the reduced
    format's real quirks ("307area missing", 11-digit numbers) in a second.
    """
    with full_week_file.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        rows = [
            fields
            for index, fields in enumerate(reader)
            if index < 2000 or not fields[2].isdigit() or len(fields[2]) != 10
        ]
    path = tmp_path / "week-subset.csv"
    with path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_reduced_format_is_recognised_and_imported(full_week_file, tmp_path):
    path = week_subset(full_week_file, tmp_path)
    rows = read_rows(path)
    expected = expected_counts(rows)
    assert expected["invalid number"] > 400  # the subset kept the odd numbers

    counts = import_ftc(path)

    assert counts == expected
    report = Report.objects.get(external_id=rows[0]["Complaint_ID"])
    day = datetime.fromisoformat(rows[0]["Created_Day"])
    assert report.created_at == day.replace(hour=12, tzinfo=NEW_YORK)
    assert report.called_at == report.created_at
    assert (report.category, report.recorded_message) == (Category.OTHER, None)
    assert report.consumer_area_code == rows[0]["Consumer_Area_Code"]
    assert import_ftc(path)["duplicate"] == expected["imported"]


@time_machine.travel(datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("UTC")), tick=False)
def test_replay_moves_the_newest_day_to_today_and_nothing_past_now(full_fields_file):
    rows = read_rows(full_fields_file)
    newest = max(datetime.fromisoformat(row["Created_Date"]).date() for row in rows)
    shift = timedelta(days=(datetime(2026, 12, 4).date() - newest).days)
    now = datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("UTC"))

    import_ftc(full_fields_file, replay=True)

    created = list(Report.objects.values_list("created_at", flat=True))
    assert max(created) <= now
    assert max(created).astimezone(NEW_YORK).date() == now.astimezone(NEW_YORK).date()
    row = min(rows, key=lambda row: row["Created_Date"])
    report = Report.objects.get(external_id=row["Complaint_ID"])
    published = datetime.fromisoformat(row["Created_Date"])
    assert report.created_at == (published + shift).replace(tzinfo=NEW_YORK)


@pytest.mark.postgres
@pytest.mark.parametrize("method", ["copy", "orm"])
def test_both_write_methods_give_the_same_reports(full_fields_file, method):
    counts = import_ftc(full_fields_file, method=method)

    assert counts == expected_counts(read_rows(full_fields_file))
    assert Report.objects.count() == counts["imported"]
    assert ReportChange.objects.values("number").distinct().count() == len(
        set(valid_numbers(read_rows(full_fields_file)))
    )
