"""Mixed traffic with aggregation running: no error, nothing lost, limits hold."""

import os

import pytest

from hardening.soak import REPORT_RATE, soak

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SOAK_SECONDS = float(os.environ.get("HARDENING_SOAK_SECONDS", "60"))


def test_a_soak_loses_no_report_and_fails_no_request(healthy):
    result = soak(healthy, seconds=SOAK_SECONDS, phones=200, threads=6)

    assert result.ok, result.summary()
    assert result.stats.total > 0
    assert result.stats.errors == 0
    assert result.missing_reports == []
    assert result.hammer.throttled > 0
    assert max(result.hammer.accepted_by_window.values()) <= REPORT_RATE + 2
