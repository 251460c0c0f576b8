"""``import_nanpa`` on small reports written by the test, in NANPA's layout."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.numbers.models import AreaCode
from apps.numbers.normalize import Kind, Reason
from apps.numbers.selectors import (
    caller_id,
    inactive_area_codes,
    inactive_area_codes_forget,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "NPA_ID,type_of_code,ASSIGNABLE,EXPLANATION,RESERVED,ASSIGNED,ASSIGNMENT_DT,"
    "USE,LOCATION,COUNTRY,IN_SERVICE,IN_SERVICE_DT,STATUS,PLANNING_LETTERS,NOTES,"
    "OVERLAY,OVERLAY_COMPLEX,PARENT_NPA_ID,SERVICE,TIME_ZONE,AREA_SERVED,MAP,"
    "IN_JEOPARDY,RELIEF_PLANNING_IN_PROGRESS,HOME_NPA_LOCAL_CALLS,"
    "HOME_NPA_TOLL_CALLS,FOREIGN_NPA_LOCAL_CALLS,FOREIGN_NPA_TOLL_CALLS,"
    "PERM_HNPA_LOCAL_CALLS,PERM_HNPA_TOLL_CALLS,PERM_HNPA_FOREIGN_LOCAL_CALLS,"
    "DIALING_PLAN_NOTES"
)


def npa_row(npa: str, *, assigned: str, in_service: str, country: str = "US") -> str:
    fields = [""] * 32
    fields[0], fields[1], fields[5] = npa, "General Purpose Code", assigned
    fields[7], fields[8], fields[9] = "G", "NY", country
    fields[10], fields[19] = in_service, "E"
    return ",".join(fields)


def nanpa_report(path: Path, file_date: str, rows: list[str]) -> Path:
    lines = [f"File Date,{file_date}", HEADER, *rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def import_nanpa(path: Path, **options) -> str:
    out = StringIO()
    call_command("import_nanpa", str(path), stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_area_codes():
    inactive_area_codes_forget()
    yield
    inactive_area_codes_forget()


@pytest.fixture
def report(tmp_path) -> Path:
    return nanpa_report(
        tmp_path / "npa.csv",
        "11/26/2025",
        [
            npa_row("212", assigned="Yes", in_service="Y"),
            npa_row("456", assigned="No", in_service="N", country=""),
            npa_row("947", assigned="Yes", in_service="Y"),
            npa_row("738", assigned="Yes", in_service="N"),
        ],
    )


def test_area_codes_not_assigned_or_not_in_service_are_inactive(report):
    output = import_nanpa(report)

    assert "in service            2" in output
    assert inactive_area_codes() == {"456", "738"}
    codes = {code.npa: code for code in AreaCode.objects.all()}
    assert codes["212"].report_date == date(2025, 11, 26)
    assert (codes["456"].assigned, codes["456"].in_service) == (False, False)
    assert (codes["738"].assigned, codes["738"].in_service) == (True, False)


def test_a_number_from_an_inactive_area_code_is_invalid_with_nanpas_reason(report):
    before_import = caller_id("(738) 234-5678", "US")

    import_nanpa(report)

    number = caller_id("(738) 234-5678", "US")
    assert number.kind is Kind.INVALID
    assert number.reason is Reason.AREA_CODE_NOT_IN_SERVICE
    assert number.e164 == "+17382345678"
    assert before_import.reason is not Reason.AREA_CODE_NOT_IN_SERVICE
    assert caller_id("(212) 234-5678", "US").kind is Kind.VALID


def test_a_newer_report_updates_the_table(report, tmp_path):
    import_nanpa(report)
    newer = nanpa_report(
        tmp_path / "newer.csv",
        "02/01/2026",
        [
            npa_row("212", assigned="Yes", in_service="Y"),
            npa_row("738", assigned="Yes", in_service="Y"),  # now in service
        ],
    )

    output = import_nanpa(newer)

    assert "(0 new, 2 updated)" in output
    assert AreaCode.objects.get(npa="738").in_service is True
    assert AreaCode.objects.get(npa="738").report_date == date(2026, 2, 1)
    assert inactive_area_codes() == {"456"}


def test_an_older_report_is_refused_unless_asked(report, tmp_path):
    import_nanpa(report)
    older = nanpa_report(
        tmp_path / "older.csv",
        "01/02/2024",
        [npa_row("456", assigned="Yes", in_service="Y")],
    )

    with pytest.raises(CommandError, match="older than the one already loaded"):
        import_nanpa(older)
    assert AreaCode.objects.get(npa="456").in_service is False

    import_nanpa(older, allow_older=True)
    assert AreaCode.objects.get(npa="456").in_service is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "File Date"),
        (b"\x00\x01\x02\xff\xfe", "not a text file"),
        (b"Complaint_ID,Created_Day,Company_Phone_Number\r\n", "File Date"),
        (b"File Date,13/45/2025\r\n" + HEADER.encode(), "not a date"),
        (b"File Date,11/26/2025\r\nNPA,STATE\r\n201,NJ\r\n", "header"),
        (b"File Date,11/26/2025\r\n" + HEADER.encode() + b"\r\n", "no area codes"),
    ],
    ids=[
        "empty",
        "binary",
        "an FTC file",
        "a bad file date",
        "another header",
        "no rows",
    ],
)
def test_a_file_that_is_not_the_report_is_refused_with_nothing_written(
    tmp_path, content, message
):
    path = tmp_path / "not-nanpa.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        import_nanpa(path)

    assert not AreaCode.objects.exists()


def test_a_broken_row_refuses_the_whole_report(tmp_path):
    path = nanpa_report(
        tmp_path / "broken.csv",
        "11/26/2025",
        [npa_row("212", assigned="Yes", in_service="Y"), "21,short"],
    )

    with pytest.raises(CommandError, match="line 4"):
        import_nanpa(path)

    assert not AreaCode.objects.exists()
