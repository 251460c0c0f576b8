"""Redis stopped while phones look up and report: nothing is lost."""

import pytest

from hardening.faults import fault_redis

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_lookups_and_reports_survive_redis_going_away(healthy):
    result = fault_redis(healthy, outage_seconds=4)

    assert result.ok, result.summary()
    assert result.figures["reports lost"] == 0
    assert result.figures["reports sent during the outage"] > 0
