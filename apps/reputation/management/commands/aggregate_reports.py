"""``manage.py aggregate_reports [--full]``: aggregation now, with a summary."""

from django.core.management.base import BaseCommand

from apps.reputation.services import (
    RunSummary,
    reports_aggregate,
    reputations_recompute_all,
)


class Command(BaseCommand):
    help = (
        "Fold the report change log into reputations (what the beat runs every "
        "minute) until it is empty; --full recomputes every reputation, then "
        "device trust (the daily run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Recompute every reputation, then refresh device trust.",
        )

    def handle(self, *args, full: bool = False, **options):
        while True:
            summary = reputations_recompute_all() if full else reports_aggregate()
            self.stdout.write(self._describe(summary))
            if summary.status == "busy" or not summary.more:
                return

    @staticmethod
    def _describe(summary: RunSummary) -> str:
        if summary.status == "busy":
            return "Another aggregation run holds the lock; nothing done."

        trust = f", trust of {summary.devices} devices" if summary.full else ""
        return (
            f"{'Full' if summary.full else 'Incremental'} run: "
            f"{summary.changes} change rows, {summary.numbers} numbers recomputed, "
            f"{summary.verdict_changes} verdicts or labels changed{trust}, "
            f"watermark {summary.watermark}, {summary.seconds:.2f} s"
            + (" (more waiting)" if summary.more else "")
        )
