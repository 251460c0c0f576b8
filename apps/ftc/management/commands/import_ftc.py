"""Import FTC Do Not Call complaint files: ``manage.py import_ftc FILE...``."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from apps.ftc.importer import (
    ImportSummary,
    NotAnFtcFile,
    SkipReason,
    WriteMethod,
    detect_layout,
    import_file,
)


class Command(BaseCommand):
    help = (
        "Import FTC Do Not Call complaint CSV files (the full daily format or "
        "the reduced Complaint_ID/Created_Day/Company_Phone_Number/"
        "Consumer_Area_Code one, recognised by the header) as reports. "
        "Importing a file again adds nothing. Every file is checked before the "
        "first one is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--replay",
            action="store_true",
            help=(
                "Treat the file as today's feed: shift all its dates forward by "
                "whole days so its newest day is today. Without it, dates are "
                "kept as published."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="Rows per transaction (default FTC_IMPORT_BATCH_SIZE, 5000).",
        )
        parser.add_argument(
            "--method",
            choices=[method.value for method in WriteMethod],
            default=None,
            help="How batches are written (default: copy on PostgreSQL, else orm).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Never show a progress bar."
        )

    def handle(self, *args, files: list[Path], replay: bool, **options):
        batch_size = options["batch_size"]
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        for file in files:
            self._check(file)
        method = WriteMethod(options["method"]) if options["method"] else None
        if method is WriteMethod.COPY and connection.vendor != "postgresql":
            raise CommandError("--method copy needs PostgreSQL")
        show_progress = not options["no_progress"] and self.stderr.isatty()

        summaries = []
        for file in files:
            with _progress_bar(file, show_progress) as on_progress:
                summary = import_file(
                    file,
                    replay=replay,
                    batch_size=batch_size,
                    method=method,
                    on_progress=on_progress,
                )
            summaries.append(summary)
            self.stdout.write(_describe(summary))
        if len(summaries) > 1:
            self.stdout.write(_describe_total(summaries))

    def _check(self, file: Path) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file; nothing was imported")
        try:
            detect_layout(file)
        except NotAnFtcFile as error:
            raise CommandError(
                f"{file}: not an FTC complaint file ({error}); nothing was imported"
            ) from error


class _progress_bar:
    """A tqdm bar over the file's bytes on a terminal; nothing otherwise."""

    def __init__(self, file: Path, show: bool):
        self._bar = None
        if show:
            self._bar = tqdm(
                total=file.stat().st_size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=file.name,
                file=sys.stderr,
                leave=False,
            )

    def __enter__(self):
        if self._bar is None:
            return None
        return self._advance

    def _advance(self, position: int) -> None:
        self._bar.update(max(0, min(position, self._bar.total) - self._bar.n))

    def __exit__(self, *exc_info):
        if self._bar is not None:
            self._bar.close()
        return False


def _describe(summary: ImportSummary) -> str:
    shifted = (
        f", dates moved {summary.shift_days:+,} days (--replay)"
        if summary.shift_days
        else ""
    )
    lines = [
        f"{summary.path.name} ({summary.layout} format{shifted})",
        f"  rows read          {summary.rows_read:>9,}",
        f"  imported           {summary.imported:>9,}",
        f"  skipped            {summary.skipped_total:>9,}",
    ]
    lines += [
        f"    {reason.value:<16}{summary.skipped[reason]:>9,}" for reason in SkipReason
    ]
    lines.append(f"  change-log rows    {summary.numbers_changed:>9,}")
    if summary.unknown_subjects:
        subjects = ", ".join(
            f"{subject!r} ({count})"
            for subject, count in summary.unknown_subjects.most_common()
        )
        lines.append(f"  unknown subjects stored as 'other': {subjects}")
    lines.append(
        f"  time               {summary.seconds:>8.1f}s"
        f" ({summary.rows_per_second:,.0f} rows/s)"
    )
    return "\n".join(lines)


def _describe_total(summaries: list[ImportSummary]) -> str:
    read = sum(summary.rows_read for summary in summaries)
    imported = sum(summary.imported for summary in summaries)
    seconds = sum(summary.seconds for summary in summaries)
    return (
        f"total: {len(summaries)} files, {read:,} rows read, {imported:,} imported,"
        f" {read - imported:,} skipped in {seconds:.1f}s"
    )
