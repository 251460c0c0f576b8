"""System checks refuse block-list settings that cannot work."""

import pytest

from apps.blocklist.checks import check_blocklist_settings


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("BLOCKLIST_MAX_ENTRIES", 0, "callguard.E101"),
        ("BLOCKLIST_LIMIT_TIERS", [10_000, -5], "callguard.E102"),
        ("BLOCKLIST_DELTA_RETENTION", 0, "callguard.E103"),
        ("PUSH_TOPIC_PREFIX", "block list/", "callguard.E104"),
    ],
)
def test_a_setting_that_cannot_work_is_reported(settings, name, value, check_id):
    setattr(settings, name, value)

    assert [problem.id for problem in check_blocklist_settings(None)] == [check_id]


def test_the_defaults_pass():
    assert check_blocklist_settings(None) == []
