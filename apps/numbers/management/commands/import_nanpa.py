"""Load NANPA's area-code (NPA) report: ``manage.py import_nanpa FILE``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.numbers.services import NotANanpaReport, OlderNanpaReport, area_codes_import


class Command(BaseCommand):
    help = (
        "Load NANPA's NPA report (first line 'File Date,MM/DD/YYYY', header on "
        "the second) into the area-code table. Running it again with a newer "
        "report updates the table. Numbers from area codes that are unassigned "
        "or not in service are then invalid (area_code_not_in_service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="NANPA's NPA report (CSV)")
        parser.add_argument(
            "--allow-older",
            action="store_true",
            help="Load the report even if it is older than the one loaded.",
        )

    def handle(self, *args, file: Path, allow_older: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            summary = area_codes_import(path=file, allow_older=allow_older)
        except (NotANanpaReport, OlderNanpaReport) as error:
            raise CommandError(f"{file}: {error}; nothing was written") from error

        self.stdout.write(
            f"{file.name}: NANPA report of {summary.report_date:%Y-%m-%d}\n"
            f"  area codes       {summary.area_codes:>6,}"
            f" ({summary.created:,} new, {summary.updated:,} updated)\n"
            f"  in service       {summary.in_service:>6,}\n"
            f"  not in service   {summary.not_in_service:>6,}"
        )
