"""One private stack for the whole hardening suite.

These tests stop and kill services, so they never use the shared PostgreSQL
and Redis: ``hardening.stack`` starts a private cluster, Redis, gunicorn
(production settings), a Celery worker and beat. Each test puts back what it
broke before it ends. Without the PostgreSQL server binaries or redis-server
the suite is skipped, except under CI, where that is a failure.
"""

import os
import shutil

import pytest

from hardening.fuzz import UNTHROTTLED
from hardening.stack import PG_BIN, REDIS_SERVER, Stack

ON_CI = os.environ.get("CI", "").lower() == "true"

# Beat asks for an aggregation run this often during the suite.
AGGREGATE_EVERY_SECONDS = 2


def _missing_tools() -> list[str]:
    missing = []
    if not (PG_BIN / "initdb").exists():
        missing.append(str(PG_BIN / "initdb"))
    if shutil.which(REDIS_SERVER) is None:
        missing.append(REDIS_SERVER)
    return missing


@pytest.fixture(scope="session")
def stack():
    missing = _missing_tools()
    if missing and not ON_CI:
        pytest.skip(f"private services need {', '.join(missing)}")
    env = {
        **UNTHROTTLED,
        "AGGREGATE_EVERY_SECONDS": str(AGGREGATE_EVERY_SECONDS),
    }
    with Stack.start(env=env, worker=True, beat=True) as started:
        yield started


@pytest.fixture
def healthy(stack):
    """The stack, and a check afterwards that every service is back up."""
    yield stack
    for service in (stack.postgres, stack.redis):
        if not service.running:
            service.start()
    for service in (stack.worker, stack.beat):
        if service is not None and not service.running:
            service.start()
    status, _, body = stack.request("GET", "/readyz")
    assert status == 200, body
