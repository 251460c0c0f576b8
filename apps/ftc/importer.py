"""Import the FTC's Do Not Call complaint files as reports.

One pass over the file, in constant memory: `detect_layout` recognises the
format by its header (and refuses anything else before a row is written),
`parse_row` turns one CSV row into a `Complaint`, the number goes through
`apps.numbers.selectors.caller_id`, and `write_batch` stores each batch of
new reports with its `ReportChange` rows in one transaction. Importing a
file again adds nothing: the FTC's complaint id is the report's
``external_id``, unique per source.

Timestamps in the files are US local times without a zone; they are read as
America/New_York (the FTC's own time). docs/real-data.md has every decision.
"""

import csv
import dataclasses
import enum
import functools
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.numbers.normalize import CallerId, Kind
from apps.numbers.selectors import caller_id
from apps.reports.models import Category, Report, ReportChange, Source

from .subjects import category_for_subject

logger = logging.getLogger(__name__)

FTC_TIMEZONE = ZoneInfo("America/New_York")
"""The zone the FTC's zoneless timestamps are read in."""

CALL_BEFORE_FILING_MAX = timedelta(days=365)
"""A Violation_Date further before the filing than this is not believed."""

CALL_AFTER_FILING_MAX = timedelta(days=1)
"""Slack for a Violation_Date after the filing (the consumer's own zone)."""

DAY_ONLY_TIME = clock_time(12, 0)
"""The time of day given to a complaint whose file has only its day."""

REGION = "US"
"""The FTC's complainants are in the US: numbers are read as dialled there."""

_HEAD_BYTES = 64 * 1024
_EXTERNAL_ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")
_AREA_CODE_RE = re.compile(r"[2-9]\d\d")
_UNKNOWN_SUBJECTS_KEPT = 50
_NUMBER_CACHE_SIZE = 1 << 16
_IN_LIST_CHUNK = 500


class NotAnFtcFile(ValueError):
    """The file is not an FTC complaint file; nothing was written."""


class MalformedRow(ValueError):
    """One row cannot be read (wrong column count, unparseable date, ...)."""


class SkipReason(enum.StrEnum):
    EMPTY_NUMBER = "empty number"
    INVALID_NUMBER = "invalid number"
    DUPLICATE = "duplicate"
    MALFORMED_ROW = "malformed row"


class WriteMethod(enum.StrEnum):
    ORM = "orm"
    """``bulk_create(ignore_conflicts=True)`` after looking up known ids."""
    COPY = "copy"
    """PostgreSQL only: COPY into a temporary table, then INSERT ... ON CONFLICT."""


# --- Formats ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """One FTC file format: its name and where each column we read sits."""

    name: str
    width: int
    columns: dict[str, int]

    def get(self, fields: Sequence[str], column: str) -> str:
        index = self.columns.get(column)
        return "" if index is None else fields[index]


FULL_COLUMNS = (
    "Complaint_ID",
    "Company_Phone_Number",
    "Created_Date",
    "Violation_Date",
    "Consumer_Area_Code",
    "Subject",
    "Recorded_Message_Or_Robocall",
)
"""Columns of the full daily format that the import reads (it has more)."""

REDUCED_COLUMNS = (
    "Complaint_ID",
    "Created_Day",
    "Company_Phone_Number",
    "Consumer_Area_Code",
)
"""The reduced format: one day per complaint, no subject, no call time."""

_FORMATS = (("full", FULL_COLUMNS), ("reduced", REDUCED_COLUMNS))


def layout_for_header(header: Sequence[str]) -> Layout:
    """The `Layout` of a file whose first row is ``header``, or `NotAnFtcFile`."""
    names = [name.strip().lstrip("\ufeff") for name in header]
    if len(set(names)) != len(names):
        raise NotAnFtcFile("the header names a column twice")
    for name, required in _FORMATS:
        if all(column in names for column in required):
            columns = {column: names.index(column) for column in required}
            return Layout(name=name, width=len(names), columns=columns)
    raise NotAnFtcFile(
        "unknown header: expected the FTC's full format "
        f"({', '.join(FULL_COLUMNS)}) or the reduced one "
        f"({', '.join(REDUCED_COLUMNS)})"
    )


def detect_layout(path: Path) -> Layout:
    """Read the first line of ``path`` and name its format; writes nothing.

    Raises `NotAnFtcFile` for an empty file, a binary file, or a header that
    is neither FTC format.
    """
    with Path(path).open("rb") as file:
        head = file.read(_HEAD_BYTES)
    if not head.strip():
        raise NotAnFtcFile("the file is empty")
    if b"\x00" in head:
        raise NotAnFtcFile("the file is binary, not CSV text")
    first_line, newline, _ = head.partition(b"\n")
    if not newline and len(head) == _HEAD_BYTES:
        raise NotAnFtcFile("the first line is not a CSV header")
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAnFtcFile("the header is not UTF-8 text") from None

    return layout_for_header(next(csv.reader([text]), []))


# --- Rows -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint as read from the file, its number not yet normalised."""

    external_id: str
    raw_number: str
    created_at: datetime
    called_at: datetime
    subject: str
    recorded_message: bool | None
    consumer_area_code: str


def parse_row(
    fields: Sequence[str],
    layout: Layout,
    *,
    shift: timedelta = timedelta(0),
    not_after: datetime | None = None,
) -> Complaint:
    """Read one CSV row; raise `MalformedRow` when it cannot be read.

    ``shift`` (whole days, for ``--replay``) moves every date forward before
    it is placed in the FTC's zone; ``not_after`` caps the results (a replayed
    complaint cannot be later than the import).
    """
    if len(fields) != layout.width:
        raise MalformedRow(f"{len(fields)} columns, the header has {layout.width}")
    external_id = layout.get(fields, "Complaint_ID").strip()
    if not _EXTERNAL_ID_RE.fullmatch(external_id):
        raise MalformedRow("no usable Complaint_ID")

    if layout.name == "reduced":
        day = _parse_day(layout.get(fields, "Created_Day"))
        created = _local(datetime.combine(day, DAY_ONLY_TIME), shift, not_after)
        called = created
    else:
        filed = _parse_local_time(layout.get(fields, "Created_Date"))
        created = _local(filed, shift, not_after)
        called = _call_time(layout.get(fields, "Violation_Date"), filed)
        called = created if called is None else _local(called, shift, not_after)

    area_code = layout.get(fields, "Consumer_Area_Code").strip()
    return Complaint(
        external_id=external_id,
        raw_number=layout.get(fields, "Company_Phone_Number"),
        created_at=created,
        called_at=called,
        subject=layout.get(fields, "Subject").strip(),
        recorded_message=_yes_no(layout.get(fields, "Recorded_Message_Or_Robocall")),
        consumer_area_code=area_code if _AREA_CODE_RE.fullmatch(area_code) else "",
    )


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise MalformedRow("unreadable day") from None


def _parse_local_time(text: str) -> datetime:
    """A zoneless ``YYYY-MM-DD HH:MM:SS`` (or a bare day, read as noon)."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedRow("unreadable date") from None
    if len(text) == 10:
        value = datetime.combine(value.date(), DAY_ONLY_TIME)
    if value.tzinfo is not None:
        value = value.astimezone(FTC_TIMEZONE).replace(tzinfo=None)
    return value


def _call_time(text: str, filed: datetime) -> datetime | None:
    """The Violation_Date when present and believable, else ``None``."""
    if not text.strip():
        return None
    try:
        called = _parse_local_time(text)
    except MalformedRow:
        return None
    if not filed - CALL_BEFORE_FILING_MAX <= called <= filed + CALL_AFTER_FILING_MAX:
        return None
    return called


def _local(value: datetime, shift: timedelta, not_after: datetime | None) -> datetime:
    aware = (value + shift).replace(tzinfo=FTC_TIMEZONE)
    if not_after is not None and aware > not_after:
        return not_after
    return aware


def _yes_no(text: str) -> bool | None:
    flag = text.strip().upper()
    if flag in {"Y", "YES"}:
        return True
    if flag in {"N", "NO"}:
        return False
    return None


def newest_day(path: Path, layout: Layout) -> date | None:
    """The latest filing day in the file (local), read in one streaming pass."""
    column = "Created_Day" if layout.name == "reduced" else "Created_Date"
    newest = None
    with _open_text(path) as text:
        reader = csv.reader(text)
        next(reader, None)
        for fields in _records(reader):
            if fields is None or len(fields) != layout.width:
                continue
            try:
                day = _parse_day(layout.get(fields, column))
            except MalformedRow:
                continue
            if newest is None or day > newest:
                newest = day
    return newest


# --- Writing ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class NewReport:
    """The values of one report to insert."""

    external_id: str
    number: str
    number_region: str
    category: str
    called_at: datetime
    created_at: datetime
    recorded_message: bool | None
    consumer_area_code: str


def default_write_method() -> WriteMethod:
    """COPY on PostgreSQL (see docs/benchmarks.md), bulk_create elsewhere."""
    return WriteMethod.COPY if connection.vendor == "postgresql" else WriteMethod.ORM


def write_batch(
    rows: Sequence[NewReport], *, method: WriteMethod | None = None
) -> list[str]:
    """Insert the reports whose ids are new; return their numbers.

    One transaction: the reports and one `ReportChange` per distinct number
    among them, so aggregation sees exactly what was added. ``rows`` must not
    repeat an id (the importer removes repeats within a batch).
    """
    method = method or default_write_method()
    with transaction.atomic():
        if method is WriteMethod.COPY:
            return _insert_by_copy(rows)
        inserted = _insert_by_orm(rows)
        ReportChange.objects.bulk_create(
            [ReportChange(number=number) for number in sorted(set(inserted))]
        )
    return inserted


def _insert_by_orm(rows: Sequence[NewReport]) -> list[str]:
    known = _known_ids([row.external_id for row in rows])
    fresh = [row for row in rows if row.external_id not in known]
    Report.objects.bulk_create([_report(row) for row in fresh], ignore_conflicts=True)
    return [row.number for row in fresh]


def _known_ids(ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are already imported FTC complaints."""
    known: set[str] = set()
    chunk = len(ids) if connection.vendor == "postgresql" else _IN_LIST_CHUNK
    for start in range(0, len(ids), max(chunk, 1)):
        known.update(
            Report.objects.filter(
                source=Source.FTC, external_id__in=ids[start : start + chunk]
            )
            .exclude(external_id="")  # matches the unique index's condition
            .values_list("external_id", flat=True)
        )
    return known


def _report(row: NewReport) -> Report:
    return Report(
        source=Source.FTC,
        device=None,
        number=row.number,
        number_region=row.number_region,
        category=row.category,
        called_at=row.called_at,
        created_at=row.created_at,
        recorded_message=row.recorded_message,
        consumer_area_code=row.consumer_area_code,
        external_id=row.external_id,
    )


_COPY_TABLE = "ftc_import_batch"
_COPY_COLUMNS = {
    "source": "text",
    "number": "text",
    "number_region": "text",
    "category": "text",
    "called_at": "timestamptz",
    "created_at": "timestamptz",
    "recorded_message": "boolean",
    "consumer_area_code": "text",
    "external_id": "text",
}


def _insert_by_copy(rows: Sequence[NewReport]) -> list[str]:
    """COPY the batch into a temporary table, then insert what is new.

    One statement inserts the reports (``ON CONFLICT DO NOTHING`` skips ids
    already imported, also by a concurrent import) and a `ReportChange` for
    each distinct number among those inserted; it returns exactly their
    numbers.
    """
    sql, params = _copy_insert_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{_COPY_TABLE}"])
        if cursor.fetchone()[0] is None:
            definition = ", ".join(
                f"{quote(name)} {kind}" for name, kind in _COPY_COLUMNS.items()
            )
            cursor.execute(f"CREATE TEMPORARY TABLE {_COPY_TABLE} ({definition})")
        cursor.execute(f"TRUNCATE {_COPY_TABLE}")
        with cursor.copy(f"COPY {_COPY_TABLE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        Source.FTC.value,
                        row.number,
                        row.number_region,
                        row.category,
                        row.called_at,
                        row.created_at,
                        row.recorded_message,
                        row.consumer_area_code,
                        row.external_id,
                    )
                )
        cursor.execute(sql, [timezone.now() if p is _NOW else p for p in params])
        return [number for (number,) in cursor.fetchall()]


_NOW = object()


@functools.cache
def _copy_insert_sql() -> tuple[str, tuple]:
    """The statement that moves the batch table into Report and ReportChange.

    Every concrete column of both models is written: the batch table's
    values, ``now`` for auto_now fields, else the model field's default, so
    a field added to either model later is filled as the ORM would fill it.
    """
    quote = connection.ops.quote_name
    report_columns, report_values, params = [], [], []
    for field in Report._meta.concrete_fields:
        if field.primary_key:
            continue
        report_columns.append(quote(field.column))
        if field.attname in _COPY_COLUMNS:
            report_values.append(quote(field.attname))
        else:
            report_values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    change_columns, change_values = [], []
    for field in ReportChange._meta.concrete_fields:
        if field.primary_key:
            continue
        change_columns.append(quote(field.column))
        if field.attname == "number":
            change_values.append(quote("number"))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            change_values.append("%s")
            params.append(_NOW)
        else:
            change_values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    number = quote(Report._meta.get_field("number").column)
    sql = (
        f"WITH inserted AS ("
        f"INSERT INTO {quote(Report._meta.db_table)} ({', '.join(report_columns)}) "
        f"SELECT {', '.join(report_values)} FROM {_COPY_TABLE} "
        f"ON CONFLICT DO NOTHING RETURNING {number} AS number"
        f"), changed AS ("
        f"INSERT INTO {quote(ReportChange._meta.db_table)} "
        f"({', '.join(change_columns)}) "
        f"SELECT {', '.join(change_values)} "
        f"FROM (SELECT DISTINCT number FROM inserted ORDER BY number) AS numbers"
        f") SELECT number FROM inserted"
    )
    return sql, tuple(params)


# --- The import -------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class ImportSummary:
    """What one file gave: every row read is imported or skipped for a reason."""

    path: Path
    layout: str
    shift_days: int = 0
    rows_read: int = 0
    imported: int = 0
    skipped: Counter = dataclasses.field(default_factory=Counter)
    numbers_changed: int = 0
    unknown_subjects: Counter = dataclasses.field(default_factory=Counter)
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


def import_file(
    path: Path,
    *,
    replay: bool = False,
    now: datetime | None = None,
    batch_size: int | None = None,
    method: WriteMethod | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one FTC complaint file; see the module docstring.

    ``replay`` treats the file as today's feed: every date moves forward by
    the whole number of days that makes the file's newest filing day today
    (in the FTC's zone), and nothing lands later than ``now``. Without it,
    dates are stored as published. ``on_progress`` is called with the bytes
    read so far after each batch. Raises `NotAnFtcFile` before writing
    anything when the file is not an FTC complaint file.
    """
    path = Path(path)
    layout = detect_layout(path)
    now = now or timezone.now()
    batch_size = batch_size or settings.FTC_IMPORT_BATCH_SIZE
    method = method or default_write_method()
    summary = ImportSummary(path=path, layout=layout.name)
    if replay:
        newest = newest_day(path, layout)
        if newest is not None:
            summary.shift_days = (now.astimezone(FTC_TIMEZONE).date() - newest).days
    shift = timedelta(days=summary.shift_days)
    not_after = now if replay else None
    number_of = functools.lru_cache(maxsize=_NUMBER_CACHE_SIZE)(_caller_id)
    started = time.perf_counter()

    def flush(pending: dict[str, Complaint]) -> None:
        known = _known_ids(list(pending))
        summary.skipped[SkipReason.DUPLICATE] += len(known)
        rows = []
        for complaint in pending.values():
            if complaint.external_id in known:
                continue
            outcome = _new_report(complaint, number_of, summary.unknown_subjects)
            if isinstance(outcome, SkipReason):
                summary.skipped[outcome] += 1
            else:
                rows.append(outcome)
        pending.clear()
        write_started = time.perf_counter()
        inserted = write_batch(rows, method=method) if rows else []
        summary.write_seconds += time.perf_counter() - write_started
        summary.imported += len(inserted)
        summary.skipped[SkipReason.DUPLICATE] += len(rows) - len(inserted)
        summary.numbers_changed += len(set(inserted))

    # Complaints wait here, one per id, until a batch is full; ids imported
    # before are skipped before their numbers are normalised, so importing a
    # file again costs little.
    pending: dict[str, Complaint] = {}
    with _open_text(path) as text:
        reader = csv.reader(text)
        if layout_for_header(next(reader, [])) != layout:
            raise NotAnFtcFile("the file changed while it was being read")
        for fields in _records(reader):
            summary.rows_read += 1
            outcome = _complaint(fields, layout, shift, not_after)
            if isinstance(outcome, SkipReason):
                summary.skipped[outcome] += 1
            elif outcome.external_id in pending:
                summary.skipped[SkipReason.DUPLICATE] += 1
            else:
                pending[outcome.external_id] = outcome
                if len(pending) >= batch_size:
                    flush(pending)
                    if on_progress is not None:
                        on_progress(text.buffer.tell())
        if pending:
            flush(pending)
        if on_progress is not None:
            on_progress(text.buffer.tell())

    summary.seconds = time.perf_counter() - started
    logger.info(
        "ftc file imported",
        extra={
            "file": path.name,
            "layout": layout.name,
            "rows_read": summary.rows_read,
            "imported": summary.imported,
            "skipped": {str(reason): n for reason, n in summary.skipped.items()},
            "shift_days": summary.shift_days,
            "seconds": round(summary.seconds, 3),
        },
    )
    return summary


def _complaint(
    fields: list[str] | None,
    layout: Layout,
    shift: timedelta,
    not_after: datetime | None,
) -> Complaint | SkipReason:
    """The row's complaint, or why it is skipped before its number is read."""
    if fields is None:
        return SkipReason.MALFORMED_ROW
    try:
        complaint = parse_row(fields, layout, shift=shift, not_after=not_after)
    except MalformedRow:
        return SkipReason.MALFORMED_ROW
    if not complaint.raw_number.strip():
        return SkipReason.EMPTY_NUMBER
    return complaint


def _new_report(
    complaint: Complaint,
    number_of: Callable[[str], CallerId],
    unknown_subjects: Counter,
) -> NewReport | SkipReason:
    """The report to write for a complaint, or why its number is refused."""
    number = number_of(complaint.raw_number.strip())
    if number.kind is not Kind.VALID or number.e164 is None:
        return SkipReason.INVALID_NUMBER

    category = Category.OTHER
    if complaint.subject:
        known = category_for_subject(complaint.subject)
        if known is not None:
            category = known
        elif (
            complaint.subject in unknown_subjects
            or len(unknown_subjects) < _UNKNOWN_SUBJECTS_KEPT
        ):
            unknown_subjects[complaint.subject] += 1
    return NewReport(
        external_id=complaint.external_id,
        number=number.e164,
        number_region=number.region or "",
        category=category,
        called_at=complaint.called_at,
        created_at=complaint.created_at,
        recorded_message=complaint.recorded_message,
        consumer_area_code=complaint.consumer_area_code,
    )


def _caller_id(raw: str) -> CallerId:
    return caller_id(raw, REGION)


def _open_text(path: Path) -> io.TextIOWrapper:
    """The file as text for the csv module; undecodable bytes become U+FFFD."""
    return io.TextIOWrapper(
        Path(path).open("rb"), encoding="utf-8-sig", errors="replace", newline=""
    )


def _records(reader: Iterable[list[str]]) -> Iterator[list[str] | None]:
    """The reader's rows; ``None`` for a row the csv module cannot read.

    Blank lines are not rows and are left out.
    """
    rows = iter(reader)
    while True:
        try:
            fields = next(rows)
        except StopIteration:
            return
        except csv.Error:
            yield None
            continue
        if fields:
            yield fields
