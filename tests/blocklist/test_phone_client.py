"""The reference phone: real HTTP against a live server, and its checks."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.blocklist.phone import SyncError, check_answer, merge_apply
from apps.devices.models import Device
from tests.blocklist.helpers import publish, reputation_set


def _run(live_server, state, *extra) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "phone_client",
        "--server",
        live_server.url,
        "--region",
        "US",
        "--state",
        str(state),
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_phone_takes_the_full_list_then_deltas_then_nothing(
    live_server, tmp_path, tiers
):
    state = tmp_path / "phone.json"
    for activity, number in enumerate(("+14155550001", "+14155550002", "+14155550003")):
        reputation_set(number, verdict="block", label="Scam", activity=float(activity))
    reputation_set("+14155550009", verdict="warn", label="Pharmacy", activity=9.0)
    publish("+14155550001", "+14155550002", "+14155550003", "+14155550009")

    first = _run(live_server, state, "--verify")
    reputation_set("+14155550002", verdict="allow")
    reputation_set("+14155550004", verdict="block", label="Robocall", activity=5.0)
    publish("+14155550002", "+14155550004")
    second = _run(live_server, state, "--verify")
    third = _run(live_server, state)

    assert "registered a new device" in first
    assert "version 1: full list (4 entries)" in first
    assert "holding 4 entries (block 3, identify 1)" in first
    assert "version 2: delta (+1 -1)" in second
    assert "verified" in second
    assert "unchanged (304)" in third
    assert Device.objects.count() == 1
    held = json.loads(state.read_text())
    assert [entry[0] for entry in held["entries"]] == [
        14155550001,
        14155550003,
        14155550004,
        14155550009,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_phone_with_a_limit_holds_the_top_of_the_list(live_server, tmp_path, tiers):
    state = tmp_path / "iphone.json"
    numbers = [f"+1415555000{i}" for i in range(5)]
    for activity, number in enumerate(numbers):
        reputation_set(number, verdict="block", activity=float(activity))
    publish(*numbers)

    _run(live_server, state, "--limit", "3", "--platform", "ios")
    reputation_set(numbers[0], verdict="block", activity=10.0)
    publish(numbers[0])
    second = _run(live_server, state, "--limit", "3", "--verify")

    assert "delta (+1 -1)" in second
    held = json.loads(state.read_text())
    assert [entry[0] for entry in held["entries"]] == [14155550000, 14155550004]


@pytest.mark.django_db(transaction=True)
def test_a_bad_answer_stops_the_client_with_an_error(live_server, tmp_path):
    with pytest.raises(CommandError, match="400"):
        call_command(
            "phone_client",
            "--server",
            live_server.url,
            "--region",
            "XX",
            "--state",
            str(tmp_path / "phone.json"),
        )


@pytest.mark.parametrize(
    ("held", "added", "removed", "expected"),
    [
        ([], [(1, "block", "")], [], [(1, "block", "")]),
        ([(1, "block", ""), (3, "block", "")], [], [1], [(3, "block", "")]),
        (
            [(1, "block", ""), (3, "block", "")],
            [(2, "identify", "Shop"), (3, "identify", "Bank")],
            [1],
            [(2, "identify", "Shop"), (3, "identify", "Bank")],
        ),
        (
            [(5, "block", "")],
            [(1, "block", ""), (9, "block", "")],
            [7],
            [
                (1, "block", ""),
                (5, "block", ""),
                (9, "block", ""),
            ],
        ),
    ],
)
def test_a_delta_is_applied_in_one_merge_pass(held, added, removed, expected):
    assert merge_apply(held, added, removed) == expected


def _entry(number, action="block", label=""):
    return {"number": number, "action": action, "label": label}


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (
            {
                "region": "US",
                "version": 1,
                "full": True,
                "entries": [_entry(2), _entry(1)],
            },
            "ascending",
        ),
        (
            {
                "region": "US",
                "version": 1,
                "full": True,
                "entries": [_entry(1), _entry(1)],
            },
            "ascending",
        ),
        (
            {"region": "US", "version": 1, "full": True, "entries": [_entry("1")]},
            "64-bit",
        ),
        (
            {
                "region": "US",
                "version": 1,
                "full": True,
                "entries": [_entry(1, "mute")],
            },
            "malformed",
        ),
        (
            {
                "region": "US",
                "version": 2,
                "full": False,
                "added": [_entry(4)],
                "removed": [4],
            },
            "both added and removed",
        ),
        (
            {
                "region": "US",
                "version": 2,
                "full": False,
                "added": [],
                "removed": [5, 4],
            },
            "ascending",
        ),
        ({"region": "US", "full": True, "entries": []}, "version"),
    ],
)
def test_the_client_refuses_answers_that_break_the_rules(answer, problem):
    with pytest.raises(SyncError, match=problem):
        check_answer(answer)
