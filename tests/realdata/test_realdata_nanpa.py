"""``import_nanpa`` on NANPA's real report of 26 November 2025."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from apps.numbers.models import AreaCode
from apps.numbers.normalize import Kind, Reason
from apps.numbers.selectors import caller_id, inactive_area_codes

pytestmark = pytest.mark.django_db


def read_report(path) -> tuple[str, list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        first = file.readline()
        reader = csv.reader(file)
        header = next(reader)
        return first, header, [row for row in reader if row]


def test_the_real_report_loads_every_area_code_and_481_in_service(nanpa_file):
    _, header, rows = read_report(nanpa_file)
    in_service = {
        row[header.index("NPA_ID")]
        for row in rows
        if row[header.index("IN_SERVICE")] == "Y"
        and row[header.index("ASSIGNED")] == "Yes"
    }

    call_command("import_nanpa", str(nanpa_file), stdout=StringIO())

    assert AreaCode.objects.count() == len(rows) == 800
    assert set(
        AreaCode.objects.filter(in_service=True).values_list("npa", flat=True)
    ) == (in_service)
    assert len(in_service) == 481
    assert inactive_area_codes() == {row[0] for row in rows} - in_service
    toll_free = AreaCode.objects.get(npa="800")
    assert (toll_free.in_service, toll_free.use) == (True, "N")


def test_a_reimport_with_a_changed_row_updates_it(nanpa_file, tmp_path):
    call_command("import_nanpa", str(nanpa_file), stdout=StringIO())
    first, header, rows = read_report(nanpa_file)
    npa, in_service = header.index("NPA_ID"), header.index("IN_SERVICE")
    changed = next(row for row in rows if row[npa] == "212")
    changed[in_service] = "N"
    newer = tmp_path / "npa-newer.csv"
    with newer.open("w", newline="", encoding="utf-8") as file:
        file.write(first.replace("11/26/2025", "12/01/2025"))
        csv.writer(file, lineterminator="\r\n").writerows([header, *rows])
    assert caller_id("(212) 234-5678", "US").kind is Kind.VALID

    call_command("import_nanpa", str(newer), stdout=StringIO())

    assert AreaCode.objects.get(npa="212").in_service is False
    assert AreaCode.objects.filter(in_service=True).count() == 480
    number = caller_id("(212) 234-5678", "US")
    assert (number.kind, number.reason) == (
        Kind.INVALID,
        Reason.AREA_CODE_NOT_IN_SERVICE,
    )
