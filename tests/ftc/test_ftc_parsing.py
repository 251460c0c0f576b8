"""Header detection, row parsing and subject mapping, as tables."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.ftc.importer import (
    FULL_COLUMNS,
    REDUCED_COLUMNS,
    MalformedRow,
    NotAnFtcFile,
    detect_layout,
    layout_for_header,
    parse_row,
)
from apps.ftc.subjects import category_for_subject
from apps.reports.models import Category

NEW_YORK = ZoneInfo("America/New_York")
FULL_HEADER = [
    "Complaint_ID",
    "Company_Phone_Number",
    "Created_Date",
    "Violation_Date",
    "Consumer_City",
    "Consumer_State",
    "Consumer_Area_Code",
    "Subject",
    "Recorded_Message_Or_Robocall",
]
REDUCED_HEADER = list(REDUCED_COLUMNS)
FULL = layout_for_header(FULL_HEADER)
REDUCED = layout_for_header(REDUCED_HEADER)


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def full_row(**values: str) -> list[str]:
    row = {
        "Complaint_ID": "1a55",
        "Company_Phone_Number": "6503310306",
        "Created_Date": "2021-02-02 23:59:41",
        "Violation_Date": "2021-02-01 11:24:00",
        "Consumer_City": "San Carlos",
        "Consumer_State": "California",
        "Consumer_Area_Code": "650",
        "Subject": "Other",
        "Recorded_Message_Or_Robocall": "Y",
    }
    row.update(values)
    return [row[name] for name in FULL_HEADER]


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        (FULL_HEADER, "full"),
        (REDUCED_HEADER, "reduced"),
        (list(reversed(FULL_HEADER)), "full"),
        (["\ufeffComplaint_ID", *REDUCED_HEADER[1:]], "reduced"),
        ([f" {name} " for name in REDUCED_HEADER], "reduced"),
        ([*FULL_COLUMNS, "Extra"], "full"),
    ],
    ids=["full", "reduced", "any order", "byte order mark", "padded", "extra column"],
)
def test_a_header_names_its_format(header, layout):
    assert layout_for_header(header).name == layout


@pytest.mark.parametrize(
    "header",
    [
        [],
        ["NPA_ID", "type_of_code", "IN_SERVICE"],
        ["Complaint_ID", "Created_Day", "Company_Phone_Number"],
        [*REDUCED_HEADER, "Complaint_ID"],
        [name.lower() for name in REDUCED_HEADER],
    ],
    ids=["empty", "NANPA", "a column missing", "a column twice", "lower case"],
)
def test_any_other_header_is_not_an_ftc_file(header):
    with pytest.raises(NotAnFtcFile):
        layout_for_header(header)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"Complaint_ID\x00,Created_Day", "binary"),
        (b"\xff\xfeC\x00o\x00", "binary"),
        (b"\xc3\x28,Created_Day\n", "UTF-8"),
        (b"x" * 70000, "not a CSV header"),
        (b"File Date,11/26/2025\r\nNPA_ID,IN_SERVICE\r\n", "unknown header"),
    ],
    ids=[
        "empty",
        "blank lines",
        "NUL bytes",
        "UTF-16",
        "bad UTF-8",
        "no line",
        "NANPA",
    ],
)
def test_detect_layout_refuses_a_file_that_is_not_ftc(tmp_path, content, message):
    path = tmp_path / "file.csv"
    path.write_bytes(content)

    with pytest.raises(NotAnFtcFile, match=message):
        detect_layout(path)


def test_a_full_row_is_read_in_new_york_time():
    complaint = parse_row(full_row(), FULL)

    assert complaint.external_id == "1a55"
    assert complaint.raw_number == "6503310306"
    assert complaint.created_at == ny(2021, 2, 2, 23, 59, 41)
    assert complaint.called_at == ny(2021, 2, 1, 11, 24)
    assert (complaint.subject, complaint.recorded_message) == ("Other", True)
    assert complaint.consumer_area_code == "650"


@pytest.mark.parametrize(
    ("violation", "called_at"),
    [
        ("2021-02-01 11:24:00", ny(2021, 2, 1, 11, 24)),
        ("2021-02-03 10:00:00", ny(2021, 2, 3, 10, 0)),
        ("2020-03-01 10:00:00", ny(2020, 3, 1, 10, 0)),
        ("", ny(2021, 2, 2, 23, 59, 41)),
        ("2017-01-01 00:00:00", ny(2021, 2, 2, 23, 59, 41)),
        ("2021-02-05 10:00:00", ny(2021, 2, 2, 23, 59, 41)),
        ("last Tuesday", ny(2021, 2, 2, 23, 59, 41)),
        ("2021-02-01", ny(2021, 2, 1, 12, 0)),
    ],
    ids=[
        "the day before",
        "hours after filing",
        "eleven months before",
        "empty",
        "years before",
        "days after filing",
        "unreadable",
        "a bare day",
    ],
)
def test_the_call_time_is_the_violation_date_only_when_believable(violation, called_at):
    assert parse_row(full_row(Violation_Date=violation), FULL).called_at == called_at


@pytest.mark.parametrize(
    ("flag", "recorded"),
    [("Y", True), ("N", False), ("", None), ("y", True), ("maybe", None)],
)
def test_the_robocall_flag_is_yes_no_or_unknown(flag, recorded):
    row = full_row(Recorded_Message_Or_Robocall=flag)

    assert parse_row(row, FULL).recorded_message is recorded


@pytest.mark.parametrize(
    "row",
    [
        full_row()[:-1],
        [*full_row(), "extra"],
        full_row(Created_Date=""),
        full_row(Created_Date="02/02/2021 23:59"),
        full_row(Created_Date="2021-02-30 10:00:00"),
        full_row(Complaint_ID=""),
        full_row(Complaint_ID="x" * 65),
        full_row(Complaint_ID="1a55; DROP TABLE"),
    ],
    ids=[
        "a column short",
        "a column over",
        "no filing date",
        "US date order",
        "impossible date",
        "no id",
        "id too long",
        "id with odd characters",
    ],
)
def test_a_row_that_cannot_be_read_is_malformed(row):
    with pytest.raises(MalformedRow):
        parse_row(row, FULL)


def test_a_reduced_row_is_filed_and_called_at_noon_new_york_time():
    complaint = parse_row(["d3e0", "2021-03-15", "4087412623", "650"], REDUCED)

    assert complaint.created_at == complaint.called_at == ny(2021, 3, 15, 12, 0)
    assert (complaint.subject, complaint.recorded_message) == ("", None)
    assert complaint.consumer_area_code == "650"


@pytest.mark.parametrize(("area_code", "kept"), [("650", "650"), ("", ""), ("6", "")])
def test_only_a_real_area_code_of_the_consumer_is_kept(area_code, kept):
    row = ["d3e0", "2021-03-15", "4087412623", area_code]

    assert parse_row(row, REDUCED).consumer_area_code == kept


def test_replay_shifts_whole_days_keeping_the_local_time_across_dst():
    shift = timedelta(days=7)

    complaint = parse_row(
        ["d3e0", "2021-03-10", "4087412623", "650"], REDUCED, shift=shift
    )

    assert complaint.created_at == ny(2021, 3, 17, 12, 0)  # DST began on 14 March


def test_replay_never_stamps_a_complaint_later_than_the_import():
    now = ny(2021, 3, 15, 9, 30)

    complaint = parse_row(
        ["d3e0", "2021-03-15", "4087412623", "650"], REDUCED, not_after=now
    )

    assert complaint.created_at == complaint.called_at == now


@pytest.mark.parametrize(
    ("subject", "category"),
    [
        ("No Subject Provided", Category.OTHER),
        ("Other", Category.OTHER),
        (
            "Calls pretending to be government, businesses, or family and friends",
            Category.SCAM,
        ),
        ("Dropped call or no message", Category.ROBOCALL),
        ("Warranties  & protection plans", Category.SCAM),
        ("Warranties & protection plans", Category.SCAM),
        ("Reducing your debt (credit cards, mortgage, student loans)", Category.SCAM),
        ("Computer  & technical support", Category.SCAM),
        ("Medical  & prescriptions", Category.TELEMARKETING),
        ("Energy, solar,  & utilities", Category.TELEMARKETING),
        ("Charities", Category.NONPROFIT),
        ("Vacation  & timeshares", Category.TELEMARKETING),
        ("Lotteries, prizes  & sweepstakes", Category.SCAM),
        ("Home improvement  & cleaning", Category.TELEMARKETING),
        ("  DROPPED CALL OR NO MESSAGE ", Category.ROBOCALL),
        ("Something new", None),
    ],
)
def test_each_ftc_subject_maps_to_a_category(subject, category):
    assert category_for_subject(subject) == category
