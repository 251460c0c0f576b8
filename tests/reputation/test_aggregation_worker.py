"""Aggregation in a real Celery worker on PostgreSQL: two runs at once, a
worker killed halfway, a rerun.

The worker is a subprocess on the test database with a slow aggregation
(``AGGREGATION_CHUNK_PAUSE_SECONDS``), so a run can be caught in the middle.
"""

import math
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.reports.models import Category, ReportChange
from apps.reputation.models import AggregationState, Reputation
from apps.reputation.services import reports_aggregate
from config.celery import app
from tests.reputation.factories import touch, vote, votes

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

ROOT = Path(__file__).resolve().parents[2]
TASK = "apps.reputation.tasks.aggregate_reports_task"
NUMBERS = [f"+1415300{i:04d}" for i in range(1, 7)]
_VOLATILE = {"number", "computed_at"}
CHUNK_PAUSE = 0.5  # 23 change rows, 8 per chunk: a run lasts about 1.5 s.


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """A prefork worker (two processes) on a queue of its own."""
    queue = f"cg-aggregation-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "AGGREGATION_CHUNK_SIZE": "8",
        "AGGREGATION_CHUNK_PAUSE_SECONDS": str(CHUNK_PAUSE),
        "DB_CONN_MAX_AGE": "0",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        f"--queues={queue}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait(lambda: "ready." in log.read_text(), 30, "the worker to start")
        yield _Worker(process, queue, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Worker:
    def __init__(self, process: subprocess.Popen, queue: str, log: Path) -> None:
        self.process, self.queue, self.log = process, queue, log

    def send(self) -> str:
        task_id = str(uuid.uuid4())
        app.send_task(TASK, queue=self.queue, task_id=task_id)
        return task_id

    def kill_pool(self) -> None:
        """SIGKILL every pool process, as the OOM killer would."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert children, "the worker has no pool processes"
        for child in children:
            os.kill(int(child), signal.SIGKILL)

    def results(self) -> str:
        return self.log.read_text()


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _crowd() -> int:
    now = timezone.now()
    votes(NUMBERS[0], 12, now=now)
    votes(NUMBERS[1], 4, now=now)
    votes(NUMBERS[2], 3, category=Category.NOT_SPAM, now=now)
    votes(NUMBERS[3], 2, category=Category.TELEMARKETING, now=now)
    vote(NUMBERS[4], device=None, now=now)
    vote(NUMBERS[5], device=None, consumer_area_code="415", now=now)
    AggregationState.objects.create(pk=1)
    return ReportChange.objects.count()


def _snapshot() -> dict:
    return {
        row["number"]: {k: v for k, v in row.items() if k not in _VOLATILE}
        for row in Reputation.objects.order_by("number").values()
    }


def _assert_same(actual: dict, expected: dict) -> None:
    """Equal, floats to within what a few seconds of decay change."""
    assert actual.keys() == expected.keys()
    for number, fields in expected.items():
        for name, value in fields.items():
            got = actual[number][name]
            if isinstance(value, float):
                assert math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9), name
            else:
                assert got == value, (number, name)


def _uninterrupted() -> dict:
    """What one plain run in this process makes of the same votes."""
    touch(*NUMBERS)
    reports_aggregate()
    return _snapshot()


def _run_in_progress() -> bool:
    """Another session sits in an open transaction: the run, between chunks.

    Asked of pg_stat_activity, because probing the lock would take it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() "
            "AND state = 'idle in transaction'"
        )
        return cursor.fetchone()[0] > 0


def _done(runs: int):
    def check() -> bool:
        state = AggregationState.objects.get(pk=1)
        return state.runs >= runs and not ReportChange.objects.exists()

    return check


def test_two_runs_at_once_do_not_double_count(worker):
    _crowd()

    worker.send()
    worker.send()
    _wait(_done(1), 20, "the aggregation")
    _wait(lambda: "'status': 'busy'" in worker.results(), 10, "the second run")

    state = AggregationState.objects.get(pk=1)
    assert state.runs == 1
    assert Reputation.objects.get(number=NUMBERS[0]).spam_count == 12
    assert Reputation.objects.get(number=NUMBERS[0]).reporters == 12
    _assert_same(_snapshot(), _uninterrupted())
    assert connection.vendor == "postgresql"


def test_a_worker_killed_halfway_leaves_nothing_and_the_redelivery_finishes(worker):
    changes = _crowd()

    task_id = worker.send()
    _wait(_run_in_progress, 10, "a run to start")
    time.sleep(CHUNK_PAUSE * 1.5)  # At least one chunk written, uncommitted.
    worker.kill_pool()

    assert not Reputation.objects.exists()
    assert ReportChange.objects.count() == changes
    assert AggregationState.objects.get(pk=1).last_change_id == 0

    _wait(_done(1), 30, "the redelivered run")
    succeeded = f"[{task_id}] succeeded"
    _wait(lambda: succeeded in worker.results(), 10, "the task's success")
    log = worker.results()
    assert "WorkerLostError" in log
    assert log.count(f"[{task_id}] received") == 2  # Put back, taken again.
    assert log.count(succeeded) == 1
    _assert_same(_snapshot(), _uninterrupted())


def test_a_rerun_in_the_worker_gives_identical_results(worker):
    _crowd()
    worker.send()
    _wait(_done(1), 20, "the first run")
    first = _snapshot()

    touch(*NUMBERS)
    worker.send()
    _wait(_done(2), 20, "the rerun")

    _assert_same(_snapshot(), first)
