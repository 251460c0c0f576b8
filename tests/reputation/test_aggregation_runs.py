"""How a run treats the change log, the lock, failures and the cache."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings

from apps.reports.models import Category, ReportChange
from apps.reputation.models import AggregationState, Reputation, Verdict
from apps.reputation.services import reports_aggregate, reputations_recompute_all
from apps.reputation.tasks import aggregate_reports_task
from tests.blocklist.helpers import fetch
from tests.reputation.factories import NOW, aggregate, reputation, touch, vote, votes

pytestmark = pytest.mark.django_db

NUMBERS = [f"+1415200{i:04d}" for i in range(1, 7)]
_VOLATILE = {"computed_at"}


def _crowd() -> None:
    """Votes of every shape on a handful of numbers."""
    votes(NUMBERS[0], 12)
    votes(NUMBERS[1], 4)
    votes(NUMBERS[2], 3, category=Category.NOT_SPAM)
    votes(NUMBERS[3], 2, category=Category.TELEMARKETING)
    vote(NUMBERS[4], device=None)
    vote(NUMBERS[5], device=None, consumer_area_code="415")


def _snapshot() -> dict:
    return {
        row["number"]: {k: v for k, v in row.items() if k not in _VOLATILE}
        for row in Reputation.objects.order_by("number").values()
    }


def test_a_run_consumes_the_change_log_and_moves_the_watermark():
    _crowd()
    last = ReportChange.objects.order_by("-id").first().id

    summary = aggregate()

    state = AggregationState.objects.get()
    assert summary.status == "done"
    assert summary.changes == 12 + 4 + 3 + 2 + 1 + 1
    assert summary.numbers == len(NUMBERS)
    assert not ReportChange.objects.exists()
    assert (state.last_change_id, state.runs, state.last_run_at) == (last, 1, NOW)
    assert Reputation.objects.count() == len(NUMBERS)


def test_a_rerun_over_the_same_reports_gives_identical_reputations():
    _crowd()
    aggregate()
    first = _snapshot()

    touch(*NUMBERS)
    aggregate()

    assert _snapshot() == first


def test_a_crash_halfway_rolls_everything_back_and_the_next_run_redoes_it():
    _crowd()
    changes = ReportChange.objects.count()

    with (
        override_settings(AGGREGATION_CHUNK_SIZE=5),
        mock.patch(
            "apps.reputation.services.blocklist_update",
            side_effect=RuntimeError("boom"),
        ),
        pytest.raises(RuntimeError),
    ):
        aggregate()

    assert not Reputation.objects.exists()
    assert ReportChange.objects.count() == changes
    assert AggregationState.objects.get().last_change_id == 0

    with override_settings(AGGREGATION_CHUNK_SIZE=5):
        aggregate()
    crashed_then_rerun = _snapshot()
    Reputation.objects.all().delete()
    touch(*NUMBERS)
    aggregate()

    assert crashed_then_rerun == _snapshot()


def test_block_lists_hear_of_visible_changes_and_of_listed_numbers_that_moved():
    votes(NUMBERS[0], 12)
    votes(NUMBERS[1], 2)  # Stays unknown, no label: never listed.
    with mock.patch("apps.reputation.services.blocklist_update") as update:
        aggregate()
        assert update.call_args.kwargs == {"numbers": [NUMBERS[0]], "now": NOW}

        votes(NUMBERS[1], 1, category=Category.NOT_SPAM)  # Unlisted drift.
        update.reset_mock()
        aggregate()
        update.assert_not_called()

        votes(NUMBERS[0], 1)  # Verdict stays, but its rank in capped lists rose.
        update.reset_mock()
        aggregate()
        assert update.call_args.kwargs == {"numbers": [NUMBERS[0]], "now": NOW}

        touch(NUMBERS[0])  # Recomputed over the same votes: nothing moved.
        update.reset_mock()
        aggregate()
        update.assert_not_called()


@override_settings(BLOCKLIST_MAX_ENTRIES=1, BLOCKLIST_LIMIT_TIERS=[])
def test_a_capped_block_list_follows_the_numbers_still_calling():
    fading, rising = NUMBERS[0], NUMBERS[1]
    votes(fading, 12, days_ago=1)
    votes(rising, 12, days_ago=20)
    aggregate()
    assert _listed() == [fading]

    votes(rising, 12, days_ago=0)  # The old campaign starts calling again.
    aggregate()

    assert reputation(rising).verdict == Verdict.BLOCK
    assert _listed() == [rising]


def _listed() -> list[str]:
    """The numbers a phone syncing the full US list holds."""
    return [f"+{entry['number']}" for entry in fetch("US")["entries"]]


@override_settings(AGGREGATION_CHUNK_SIZE=2)
def test_chunks_of_a_large_change_log_are_all_recomputed():
    _crowd()

    summary = aggregate()

    assert summary.numbers == len(NUMBERS)
    assert Reputation.objects.count() == len(NUMBERS)
    assert not ReportChange.objects.exists()


@override_settings(AGGREGATION_MAX_CHANGES_PER_RUN=5)
def test_a_run_takes_at_most_its_share_and_the_task_queues_the_rest(
    django_capture_on_commit_callbacks,
):
    _crowd()

    summary = reports_aggregate(now=NOW)
    assert summary.more is True
    assert summary.changes == 5
    with django_capture_on_commit_callbacks(execute=True):
        aggregate_reports_task()

    assert not ReportChange.objects.exists()
    assert Reputation.objects.count() == len(NUMBERS)


@mock.patch("apps.reputation.services.blocklist_update")
def test_the_queries_of_a_run_do_not_grow_with_the_number_of_reports(
    update, django_assert_max_num_queries, django_assert_num_queries
):
    aggregate()  # The first run ever creates the state row.
    votes(NUMBERS[0], 1)
    aggregate()
    votes(NUMBERS[0], 1)  # A number with a reputation...
    votes(NUMBERS[1], 1)  # ...and one without.
    with django_assert_max_num_queries(50) as small:
        aggregate()
    few = len(small.captured_queries)

    for number in NUMBERS:
        votes(number, 8)
    with django_assert_num_queries(few):
        aggregate()


def test_the_cached_reputation_is_rewritten_after_the_run_commits(
    django_capture_on_commit_callbacks,
):
    cache.set("rep:" + NUMBERS[0], "-")  # "No reputation", cached earlier.
    votes(NUMBERS[0], 12)

    with django_capture_on_commit_callbacks(execute=True):
        aggregate()

    cached = cache.get("rep:" + NUMBERS[0])
    assert cached["verdict"] == Verdict.BLOCK
    assert cached["counts"]["spam"] == 12


def test_the_full_run_drains_the_change_log_and_lets_old_votes_decay():
    votes(NUMBERS[0], 12, days_ago=1)
    aggregate()
    assert reputation(NUMBERS[0]).verdict == Verdict.BLOCK
    touch(NUMBERS[1])  # A stray change row for a number without votes.

    later = NOW + timedelta(days=400)
    summary = reputations_recompute_all(now=later)

    assert summary.status == "done"
    assert summary.changes == 1
    assert not ReportChange.objects.exists()
    assert reputation(NUMBERS[0]).verdict == Verdict.UNKNOWN
    assert AggregationState.objects.get().last_full_run_at == later


def test_the_command_prints_a_summary(capsys):
    _crowd()

    call_command("aggregate_reports")
    call_command("aggregate_reports", "--full")

    out = capsys.readouterr().out
    assert "Incremental run: 23 change rows, 6 numbers recomputed" in out
    assert "Full run: 0 change rows, 6 numbers recomputed" in out
    assert "trust of 21 devices" in out  # Every phone that voted.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_while_another_holds_the_lock_does_nothing():
    votes(NUMBERS[0], 12)
    AggregationState.objects.create(pk=1)
    holding, release = threading.Event(), threading.Event()

    def other_run():
        with transaction.atomic():
            AggregationState.objects.select_for_update().get(pk=1)
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert holding.wait(10)
        summary = aggregate()
    finally:
        release.set()
        thread.join()

    assert summary.status == "busy"
    assert ReportChange.objects.count() == 12
    assert not Reputation.objects.exists()
    assert connection.vendor == "postgresql"
