"""Generated histories of verdict changes: every list equals the one computed
from scratch, and every delta applied to an older list gives the latest."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from apps.blocklist.models import (
    BlocklistChange,
    BlocklistEntry,
    BlocklistRegion,
    BlocklistVersion,
)
from apps.reputation.models import Reputation
from tests.blocklist.helpers import (
    NOW,
    apply_delta,
    as_map,
    assert_well_formed,
    expected_list,
    fetch,
    publish,
)

POOL = [f"+1415555{i:04d}" for i in range(14)] + [
    f"+4420794600{i:02d}" for i in range(6)
]
REGIONS = ("US", "GB")

reputation = st.fixed_dictionaries(
    {
        "verdict": st.sampled_from(["block", "warn", "allow", "unknown"]),
        "label": st.sampled_from(["", "Spam", "Pharmacy", 'Caf\u00e9 "\u2615"']),
        # Few distinct activities, so ranks tie often.
        "activity": st.sampled_from([0.0, 1.0, 2.0, 2.5, 7.25]),
        "reasons": st.sampled_from([[], ["override"], ["override", "identify"]]),
    }
)
# A step changes some numbers: a new reputation, or None to delete it.
step = st.dictionaries(
    st.sampled_from(POOL), st.none() | reputation, min_size=1, max_size=8
)
caps = st.tuples(
    st.integers(min_value=1, max_value=12),
    st.lists(st.integers(min_value=1, max_value=11), max_size=3),
)


def _reset_state():
    for model in (BlocklistChange, BlocklistEntry, BlocklistVersion, BlocklistRegion):
        model.objects.all().delete()
    Reputation.objects.all().delete()
    cache.clear()


def _apply(changes: dict, day: int = 0) -> None:
    for number, values in changes.items():
        if values is None:
            Reputation.objects.filter(number=number).delete()
            continue
        Reputation.objects.update_or_create(number=number, defaults=values)
    publish(*changes, now=NOW + timedelta(days=day))


def _check_history(history: dict, region: str) -> None:
    """Every tier's list is right, and every kept version's delta leads to it."""
    head = BlocklistRegion.objects.filter(region=region).first()
    sizes = head.tiers if head else []
    for size in sizes:
        latest = fetch(region, limit=size)
        assert_well_formed(latest)
        current = as_map(latest["entries"])
        assert current == expected_list(region, size)

        for (since, held_size), held in history.items():
            if held_size != size:
                continue
            delta = fetch(region, limit=size, since=since)
            assert_well_formed(delta)
            assert delta["version"] == latest["version"]
            event(
                "full"
                if delta["full"]
                else f"delta +{len(delta['added'])} -{len(delta['removed'])}"[:9]
            )
            if delta["full"]:
                assert as_map(delta["entries"]) == current
            else:
                assert apply_delta(held, delta) == current
        history[(latest["version"], size)] = current


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cap=caps,
    steps=st.lists(step, min_size=1, max_size=8),
    retention=st.integers(min_value=1, max_value=4),
)
def test_every_delta_applied_to_an_older_list_gives_the_latest(cap, steps, retention):
    top, smaller = cap
    _reset_state()
    with override_settings(
        BLOCKLIST_MAX_ENTRIES=top,
        BLOCKLIST_LIMIT_TIERS=smaller,
        BLOCKLIST_DELTA_RETENTION=retention,
        BLOCKLIST_DELTA_RETENTION_DAYS=0,
    ):
        histories = {region: {} for region in REGIONS}
        for day, changes in enumerate(steps):
            _apply(changes, day)
            for region in REGIONS:
                _check_history(histories[region], region)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=caps,
    after=caps,
    first=st.lists(step, min_size=1, max_size=4),
    then=st.lists(step, min_size=1, max_size=4),
)
def test_lists_stay_right_when_the_tiers_change(before, after, first, then):
    _reset_state()
    histories = {region: {} for region in REGIONS}
    for (top, smaller), steps in ((before, first), (after, then)):
        with override_settings(
            BLOCKLIST_MAX_ENTRIES=top, BLOCKLIST_LIMIT_TIERS=smaller
        ):
            for changes in steps:
                _apply(changes)
                for region in REGIONS:
                    _check_history(histories[region], region)
