"""PostgreSQL stopped and killed: 503 with Retry-After, no half-written row."""

import pytest

from hardening.faults import fault_postgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_a_database_outage_answers_503_and_loses_or_doubles_nothing(healthy):
    result = fault_postgres(healthy)

    assert result.ok, result.summary()
    assert result.figures["answers while stopped"] == {503: 10}
    assert result.figures["numbers missing after retries"] == 0
    assert result.figures["numbers stored twice after retries"] == 0
