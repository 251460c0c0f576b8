"""A Celery worker SIGKILLed mid-aggregation: the next run is exact."""

import pytest

from hardening.faults import fault_worker

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_a_worker_killed_mid_run_leaves_the_result_of_an_uninterrupted_run(healthy):
    result = fault_worker(healthy, reports=1200, pool=300, chunk=30, pause=0.2)

    assert result.ok, result.summary()
    assert result.figures["differences from the uninterrupted reference run"] == 0
    assert result.figures["reputations after recovery"] > 0
