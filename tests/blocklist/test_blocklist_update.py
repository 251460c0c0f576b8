"""blocklist_update: which numbers are listed, versions, the cap, the cost."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.blocklist.models import BlocklistEntry, BlocklistVersion
from apps.blocklist.services import entry_for_reputation
from apps.reputation.models import Reputation
from tests.blocklist.helpers import fetch, publish, reputation_set


@pytest.mark.parametrize(
    ("verdict", "label", "reasons", "expected"),
    [
        ("block", "Scam", [], ("block", "Scam")),
        ("block", "", [], ("block", "")),
        ("warn", "Pharmacy", [], ("identify", "Pharmacy")),
        ("warn", "", [], None),
        ("allow", "City Hospital", ["override"], ("identify", "City Hospital")),
        ("allow", "", ["override"], None),
        ("allow", "Friend", [], None),
        ("warn", "School", ["override", "identify"], ("identify", "School")),
        ("block", "School", ["override", "identify"], ("identify", "School")),
        ("allow", "Bank", [{"code": "override"}], ("identify", "Bank")),
        ("unknown", "Spam?", [], None),
        ("block", "  Spaced  ", [], ("block", "Spaced")),
    ],
)
def test_a_reputation_becomes_the_entry_phones_act_on(
    verdict, label, reasons, expected
):
    assert entry_for_reputation(verdict, label, reasons) == expected


def test_a_new_block_verdict_publishes_one_version_with_the_number(db, tiers):
    reputation_set("+14155550100", verdict="block", label="Scam")

    published = publish("+14155550100")

    assert published == [("US", 1)]
    entry = BlocklistEntry.objects.get()
    assert (entry.region, entry.number, entry.action, entry.label) == (
        "US",
        14155550100,
        "block",
        "Scam",
    )
    version = BlocklistVersion.objects.get()
    assert (version.version, version.size, version.counts) == (1, 1, {"block": 1})


def test_numbers_whose_entry_did_not_change_publish_nothing(db, tiers):
    reputation_set("+14155550100", verdict="block", activity=2.0)
    publish("+14155550100")
    Reputation.objects.filter(number="+14155550100").update(activity=3.0)

    assert publish("+14155550100") == []
    assert publish("+14155550199") == []
    assert BlocklistVersion.objects.count() == 1
    assert BlocklistEntry.objects.get().rank == 3.0


def test_input_that_is_not_e164_is_ignored(db, tiers):
    assert publish("4155550100", "+", "+0123", "+1415555010x", "") == []


def test_the_lowest_ranked_fall_out_at_the_cap_and_return_when_room_is_made(db, tiers):
    numbers = [f"+1415555{i:04d}" for i in range(8)]
    for activity, number in enumerate(numbers):
        reputation_set(number, verdict="block", activity=float(activity))
    publish(*numbers)

    listed = [e["number"] for e in fetch("US")["entries"]]
    reputation_set(numbers[7], verdict="allow")
    publish(numbers[7])
    after = fetch("US", since=1)

    assert listed == [int(n[1:]) for n in numbers[2:]]
    assert after["removed"] == [int(numbers[7][1:])]
    assert after["added"] == [
        {"number": int(numbers[1][1:]), "action": "block", "label": ""}
    ]


def test_equal_ranks_go_to_the_smaller_number(db, settings):
    settings.BLOCKLIST_MAX_ENTRIES = 2
    settings.BLOCKLIST_LIMIT_TIERS = []
    for number in ("+14155550003", "+14155550001", "+14155550002"):
        reputation_set(number, verdict="block", activity=1.0)
    publish("+14155550003", "+14155550001", "+14155550002")

    assert [e["number"] for e in fetch("US")["entries"]] == [14155550001, 14155550002]


def test_one_call_publishes_one_version_per_region_changed(db, tiers):
    for number in ("+14155550100", "+13125550100", "+442079460000", "+16045550100"):
        reputation_set(number, verdict="block")

    published = publish("+14155550100", "+13125550100", "+442079460000", "+16045550100")

    assert sorted(published) == [("GB", 1), ("US", 1)]
    assert BlocklistEntry.objects.filter(region="US").count() == 3


def test_each_published_version_enqueues_one_push_for_its_region(db, tiers):
    reputation_set("+14155550100", verdict="block")
    reputation_set("+442079460000", verdict="block")

    with mock.patch("apps.core.queue.enqueue") as enqueue:
        publish("+14155550100", "+442079460000")

    from apps.push.tasks import send_blocklist_push_task

    assert sorted(enqueue.call_args_list) == [
        mock.call(send_blocklist_push_task, "GB", 1),
        mock.call(send_blocklist_push_task, "US", 1),
    ]


def test_a_change_of_tier_sizes_resets_the_list_and_refuses_older_deltas(
    db, tiers, settings
):
    numbers = [f"+1415555{i:04d}" for i in range(5)]
    for activity, number in enumerate(numbers):
        reputation_set(number, verdict="block", activity=float(activity))
    publish(*numbers)
    settings.BLOCKLIST_LIMIT_TIERS = [3]
    reputation_set("+14155559999", verdict="block", activity=10.0)

    published = publish("+14155559999")

    assert published == [("US", 2), ("US", 3)]
    assert BlocklistVersion.objects.get(version=2).reset is True
    assert fetch("US", since=1)["full"] is True
    assert fetch("US", since=2)["full"] is False
    assert fetch("US", limit=3)["limit"] == 3
    assert len(fetch("US", limit=3)["entries"]) == 3


def _grow(count: int, start: int = 0) -> list[str]:
    numbers = [f"+1415{i:07d}" for i in range(start, start + count)]
    Reputation.objects.bulk_create(
        [
            Reputation(number=n, verdict="block", activity=float(i % 997), region="US")
            for i, n in enumerate(numbers, start=start)
        ]
    )
    publish(*numbers)
    return numbers


def _queries_for_ten_changes(numbers: list[str]) -> tuple[int, int]:
    changed = numbers[:: max(1, len(numbers) // 10)][:10]
    Reputation.objects.filter(number__in=changed).update(activity=5000.0, label="New")
    with CaptureQueriesContext(connection) as update:
        publish(*changed)
    head_version = BlocklistVersion.objects.order_by("-version").first().version
    with CaptureQueriesContext(connection) as delta:
        fetch("US", limit=40, since=head_version - 1)
    return len(update.captured_queries), len(delta.captured_queries)


def test_the_cost_of_a_change_does_not_grow_with_the_list(db, settings):
    settings.BLOCKLIST_MAX_ENTRIES = 1000
    settings.BLOCKLIST_LIMIT_TIERS = [40, 400]

    small_update, small_delta = _queries_for_ten_changes(_grow(1100))
    large_update, large_delta = _queries_for_ten_changes(_grow(4000, start=1100))

    # Walking from a boundary takes one query or two, as ties fall; the
    # count never depends on how many entries the region has.
    assert abs(large_update - small_update) <= 2
    assert large_update < 40
    assert large_delta == small_delta
