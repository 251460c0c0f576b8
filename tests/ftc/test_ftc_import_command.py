"""``import_ftc`` on small files the test writes: skips, batches, changes."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.ftc.importer import SkipReason, import_file
from apps.numbers.selectors import inactive_area_codes_forget
from apps.reports.models import Report, ReportChange, Source

pytestmark = pytest.mark.django_db

HEADER = ["Complaint_ID", "Created_Day", "Company_Phone_Number", "Consumer_Area_Code"]


def reduced_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _fresh_area_codes():
    inactive_area_codes_forget()
    yield
    inactive_area_codes_forget()


def test_each_row_is_imported_or_skipped_for_one_reason(tmp_path):
    path = reduced_file(
        tmp_path / "day.csv",
        [
            ["a1", "2021-03-15", "2022345601", "202"],
            ["a2", "2021-03-15", "", "202"],
            ["a3", "2021-03-15", "   ", "202"],
            ["a4", "2021-03-15", "307area missing", "307"],
            ["a5", "2021-03-15", "911", "202"],
            ["a1", "2021-03-15", "2022345601", "202"],
            ["a6", "March 15", "2022345601", "202"],
            ["a7", "2021-03-15", "2022345601"],
            ["a8", "2021-03-16", "+1 (202) 234-5601", "202"],
        ],
    )

    summary = import_file(path)

    assert summary.rows_read == 9
    assert summary.imported == 2
    assert summary.skipped == {
        SkipReason.EMPTY_NUMBER: 2,
        SkipReason.INVALID_NUMBER: 2,
        SkipReason.DUPLICATE: 1,
        SkipReason.MALFORMED_ROW: 2,
    }
    assert summary.imported + summary.skipped_total == summary.rows_read
    assert set(Report.objects.values_list("external_id", "number")) == {
        ("a1", "+12022345601"),
        ("a8", "+12022345601"),
    }
    assert list(ReportChange.objects.values_list("number", flat=True)) == [
        "+12022345601"
    ]


def test_a_duplicate_in_a_later_batch_is_skipped_as_a_duplicate(tmp_path):
    rows = [
        [f"id{index}", "2021-03-15", f"20223456{index:02}", "202"] for index in range(7)
    ]
    path = reduced_file(tmp_path / "day.csv", [*rows, rows[0], rows[3]])

    summary = import_file(path, batch_size=3)

    assert (summary.imported, summary.skipped[SkipReason.DUPLICATE]) == (7, 2)
    assert Report.objects.filter(source=Source.FTC).count() == 7
    assert ReportChange.objects.count() == 7


def test_a_row_the_csv_module_cannot_read_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "day.csv"
    path.write_text(
        "Complaint_ID,Created_Day,Company_Phone_Number,Consumer_Area_Code\r\n"
        f"a1,2021-03-15,{'9' * 200_000},202\r\n"
        "a2,2021-03-15,2022345601,202\r\n",
        encoding="utf-8",
    )

    summary = import_file(path)

    assert summary.skipped[SkipReason.MALFORMED_ROW] == 1
    assert summary.imported == 1


def test_undecodable_bytes_in_a_row_do_not_stop_the_import(tmp_path):
    path = tmp_path / "day.csv"
    path.write_bytes(
        b"Complaint_ID,Created_Day,Company_Phone_Number,Consumer_Area_Code\r\n"
        b"a\xff1,2021-03-15,2022345601,202\r\n"
        b"a2,2021-03-15,2022345602,202\r\n"
    )

    summary = import_file(path)

    assert (summary.imported, summary.skipped[SkipReason.MALFORMED_ROW]) == (1, 1)


def test_the_summary_names_every_reason_and_no_bar_is_drawn_off_a_terminal(tmp_path):
    path = reduced_file(tmp_path / "day.csv", [["a1", "2021-03-15", "", "202"]])
    out, err = StringIO(), StringIO()

    call_command("import_ftc", str(path), stdout=out, stderr=err)

    text = out.getvalue()
    for reason in SkipReason:
        assert reason.value in text
    assert "reduced format" in text
    assert err.getvalue() == ""


def test_a_missing_file_is_refused_before_anything_is_written(tmp_path):
    good = reduced_file(tmp_path / "day.csv", [["a1", "2021-03-15", "2022345601", ""]])

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_ftc", str(good), str(tmp_path / "absent.csv"))

    assert not Report.objects.exists()


def test_a_batch_size_below_one_is_refused(tmp_path):
    good = reduced_file(tmp_path / "day.csv", [["a1", "2021-03-15", "2022345601", ""]])

    with pytest.raises(CommandError, match="batch-size"):
        call_command("import_ftc", str(good), batch_size=0)


def test_the_copy_method_is_refused_off_postgresql(tmp_path, is_postgres):
    good = reduced_file(tmp_path / "day.csv", [["a1", "2021-03-15", "2022345601", ""]])
    if is_postgres:
        pytest.skip("PostgreSQL has COPY")

    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("import_ftc", str(good), method="copy")

    assert not Report.objects.exists()
