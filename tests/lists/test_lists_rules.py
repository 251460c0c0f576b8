"""device_rules (cached), device_rules_forget and rule_match."""

from unittest import mock

import pytest
from django.utils import timezone

from apps.lists.models import ListEntry
from apps.lists.selectors import Rule, device_rules, device_rules_forget, rule_match
from apps.lists.services import list_entry_create, list_entry_delete

NUMBER = "+14152000001"


def _r(pattern: str, action: str, *, prefix: bool = False, id: int = 0) -> Rule:
    return Rule(id=id, pattern=pattern, is_prefix=prefix, action=action, label="")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ((), None),
        ((_r("+14152000002", "block"),), None),
        ((_r("+1415200", "block", prefix=True, id=1),), 1),
        ((_r(NUMBER, "block", id=1), _r("+1415", "allow", prefix=True, id=2)), 2),
        (
            (
                _r("+1", "block", prefix=True, id=1),
                _r("+1415", "block", prefix=True, id=2),
            ),
            2,
        ),
        ((_r("+1415200", "allow", prefix=True, id=1), _r(NUMBER, "allow", id=2)), 2),
        (
            (_r("+14152000001", "block", prefix=True, id=1), _r(NUMBER, "block", id=2)),
            2,
        ),
        ((_r("+141520000011", "block", prefix=True, id=1),), None),
    ],
)
def test_allow_beats_block_and_otherwise_the_longest_rule_wins(rules, expected):
    match = rule_match(rules, NUMBER)

    assert (match.id if match else None) == expected


@pytest.mark.django_db
def test_the_rules_are_read_once_then_served_from_the_cache(
    device, django_assert_num_queries
):
    ListEntry.objects.create(
        device=device, pattern=NUMBER, action="block", created_at=timezone.now()
    )
    with django_assert_num_queries(1):
        first = device_rules(device.pk)

    with django_assert_num_queries(0):
        second = device_rules(device.pk)

    assert first == second == (Rule(first[0].id, NUMBER, False, "block", ""),)


@pytest.mark.django_db
def test_a_device_without_rules_is_cached_too(device, django_assert_num_queries):
    device_rules(device.pk)

    with django_assert_num_queries(0):
        assert device_rules(device.pk) == ()


@pytest.mark.django_db
def test_changes_drop_the_cached_rules_once_committed(
    device, django_capture_on_commit_callbacks
):
    assert device_rules(device.pk) == ()

    with django_capture_on_commit_callbacks(execute=True):
        entry, _ = list_entry_create(
            device=device,
            number=NUMBER,
            action="allow",
            label="",
            now=timezone.now(),
        )
    assert [r.id for r in device_rules(device.pk)] == [entry.pk]

    with django_capture_on_commit_callbacks(execute=True):
        list_entry_delete(device=device, entry_id=entry.pk)
    assert device_rules(device.pk) == ()


@pytest.mark.django_db
def test_forgetting_drops_the_cached_rules(device):
    device_rules(device.pk)
    ListEntry.objects.create(
        device=device, pattern=NUMBER, action="block", created_at=timezone.now()
    )

    device_rules_forget(device.pk)

    assert len(device_rules(device.pk)) == 1


@pytest.mark.django_db
def test_a_failing_cache_falls_back_to_the_database(device):
    ListEntry.objects.create(
        device=device, pattern=NUMBER, action="block", created_at=timezone.now()
    )
    broken = mock.Mock(
        get=mock.Mock(side_effect=ConnectionError("down")),
        delete=mock.Mock(side_effect=ConnectionError("down")),
    )

    with mock.patch("apps.lists.selectors.cache", broken):
        rules = device_rules(device.pk)
        device_rules_forget(device.pk)  # Logged, not raised.

    assert [r.pattern for r in rules] == [NUMBER]
