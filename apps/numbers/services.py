"""Writes about numbers: loading NANPA's area-code report."""

import csv
import dataclasses
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import AreaCode
from .selectors import inactive_area_codes_forget

logger = logging.getLogger(__name__)

NANPA_COLUMNS = (
    "NPA_ID",
    "type_of_code",
    "ASSIGNED",
    "USE",
    "LOCATION",
    "COUNTRY",
    "IN_SERVICE",
    "TIME_ZONE",
)
"""Columns of NANPA's NPA report this import reads; others are ignored."""

_FILE_DATE_RE = re.compile(r"File Date,\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*,*")
_NPA_RE = re.compile(r"[2-9]\d\d")
_MAX_LINE_BYTES = 64 * 1024


class NotANanpaReport(ValueError):
    """The file is not NANPA's NPA report; nothing was written."""


class OlderNanpaReport(ValueError):
    """The file is older than the report already loaded; nothing was written."""


@dataclasses.dataclass(frozen=True, slots=True)
class NanpaImportSummary:
    report_date: date
    area_codes: int
    in_service: int
    created: int
    updated: int

    @property
    def not_in_service(self) -> int:
        return self.area_codes - self.in_service


def area_codes_import(
    *, path: Path, now: datetime | None = None, allow_older: bool = False
) -> NanpaImportSummary:
    """Load NANPA's NPA report at ``path`` into `AreaCode` (insert or update).

    The whole file is read and checked before anything is written: a file
    that is not the report (first line ``File Date,MM/DD/YYYY``, header on the
    second), or that has a broken row, raises `NotANanpaReport`. An area code
    counts as in service only when NANPA lists it as assigned and in service.
    A report older than the one already loaded raises `OlderNanpaReport`
    unless ``allow_older``. Afterwards the in-process cache of inactive area
    codes is dropped, so this process sees the new table at once (other
    processes within a minute).
    """
    now = now or timezone.now()
    report_date, rows = _read_report(Path(path))
    loaded = AreaCode.objects.aggregate(newest=Max("report_date"))["newest"]
    if loaded is not None and report_date < loaded and not allow_older:
        raise OlderNanpaReport(
            f"this report is dated {report_date:%Y-%m-%d}, older than the one "
            f"already loaded ({loaded:%Y-%m-%d})"
        )

    area_codes = [_area_code(row, report_date=report_date, now=now) for row in rows]
    with transaction.atomic():
        existing = set(AreaCode.objects.values_list("npa", flat=True))
        AreaCode.objects.bulk_create(
            area_codes,
            update_conflicts=True,
            unique_fields=["npa"],
            update_fields=[
                "type_of_code",
                "assigned",
                "in_service",
                "use",
                "location",
                "country",
                "time_zone",
                "report_date",
                "updated_at",
            ],
        )
    inactive_area_codes_forget()

    created = sum(1 for code in area_codes if code.npa not in existing)
    summary = NanpaImportSummary(
        report_date=report_date,
        area_codes=len(area_codes),
        in_service=sum(1 for code in area_codes if code.in_service),
        created=created,
        updated=len(area_codes) - created,
    )
    logger.info(
        "nanpa report imported",
        extra={
            "report_date": report_date.isoformat(),
            "area_codes": summary.area_codes,
            "in_service": summary.in_service,
        },
    )
    return summary


def _read_report(path: Path) -> tuple[date, list[dict[str, str]]]:
    with path.open("rb") as raw:
        first = raw.readline(_MAX_LINE_BYTES)
        report_date = _file_date(first)
        lines = _decoded_lines(raw)
        reader = csv.reader(lines)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in NANPA_COLUMNS if name not in header]
        if missing:
            raise NotANanpaReport(
                "the second line is not NANPA's NPA report header "
                f"(missing {', '.join(missing)})"
            )
        positions = {name: header.index(name) for name in NANPA_COLUMNS}
        rows = []
        seen: set[str] = set()
        for line_number, fields in enumerate(reader, start=3):
            if not fields:
                continue
            row = _row(fields, positions, width=len(header), line=line_number)
            if row["NPA_ID"] in seen:
                raise NotANanpaReport(
                    f"line {line_number}: area code {row['NPA_ID']} appears twice"
                )
            seen.add(row["NPA_ID"])
            rows.append(row)
    if not rows:
        raise NotANanpaReport("the report lists no area codes")

    return report_date, rows


def _file_date(first_line: bytes) -> date:
    try:
        text = first_line.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise NotANanpaReport("not a text file") from None
    match = _FILE_DATE_RE.fullmatch(text)
    if match is None:
        raise NotANanpaReport(
            "the first line is not NANPA's 'File Date,MM/DD/YYYY' line"
        )
    month, day, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise NotANanpaReport(f"the file date {text!r} is not a date") from None


def _decoded_lines(raw) -> Iterator[str]:
    for number, line in enumerate(raw, start=2):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise NotANanpaReport(f"line {number} is not UTF-8 text") from None


def _row(
    fields: list[str], positions: dict[str, int], *, width: int, line: int
) -> dict[str, str]:
    if len(fields) != width:
        raise NotANanpaReport(
            f"line {line} has {len(fields)} columns, the header {width}"
        )
    row = {name: fields[index].strip() for name, index in positions.items()}
    if not _NPA_RE.fullmatch(row["NPA_ID"]):
        raise NotANanpaReport(f"line {line}: {row['NPA_ID']!r} is not an area code")

    return row


def _area_code(row: dict[str, str], *, report_date: date, now: datetime) -> AreaCode:
    assigned = row["ASSIGNED"].casefold() in {"yes", "y"}
    return AreaCode(
        npa=row["NPA_ID"],
        type_of_code=row["type_of_code"][:64],
        assigned=assigned,
        in_service=assigned and row["IN_SERVICE"].upper() == "Y",
        use=row["USE"][:1].upper(),
        location=row["LOCATION"][:64],
        country=row["COUNTRY"][:32],
        time_zone=row["TIME_ZONE"][:32],
        report_date=report_date,
        updated_at=now,
    )
