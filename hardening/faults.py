"""Break the services on purpose and prove nothing is lost.

    .venv/bin/python -m hardening.faults            # every fault
    .venv/bin/python -m hardening.faults redis      # one: redis, postgres, worker

Each fault runs on a private stack (``hardening.stack``), never on the shared
PostgreSQL or Redis, and prints what it did and what was lost:

redis     Redis stopped while phones look up and report. Lookups answer from
          PostgreSQL, reports are accepted and stored, /readyz names redis;
          when Redis is back (empty) the next aggregation run, driven by the
          change-log table, folds the outage's reports in.
postgres  PostgreSQL stopped, then killed (SIGKILL) under a stream of
          reports. The API answers 503 with Retry-After, /readyz names the
          database; no row is half-written; retrying a refused report with
          its Idempotency-Key stores it exactly once.
worker    A Celery worker SIGKILLed in the middle of a slowed-down
          aggregation run. The run rolls back whole; the next one produces
          exactly the reputations of an uninterrupted run on identical data.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hardening.api import auth, numbers, register, report_body
from hardening.fuzz import UNTHROTTLED
from hardening.load import Connection
from hardening.stack import Stack, wait_until


@dataclass
class FaultResult:
    name: str
    figures: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem[:500])

    def summary(self) -> str:
        lines = [f"[{self.name}] {'ok' if self.ok else 'FAILED'}"]
        lines += [f"  {key}: {value}" for key, value in self.figures.items()]
        lines += [f"  PROBLEM: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _lookup(conn: Connection, token: str, number: str) -> tuple[int, object]:
    status, body, _ = conn.request(
        "GET",
        f"/api/v1/lookup/?number={number.replace('+', '%2B')}",
        headers=auth(token),
    )
    return status, body


def _report(
    conn: Connection, token: str, number: str, key: str | None = None, **body
) -> tuple[int, object, dict]:
    headers = auth(token)
    if key:
        headers["Idempotency-Key"] = key
    return conn.request(
        "POST",
        "/api/v1/reports/",
        body={**report_body(number), **body},
        headers=headers,
    )


def _failing(ready: object) -> object:
    return ready.get("failing") if isinstance(ready, dict) else ready


def _wait_caught_up(stack: Stack, timeout: float = 90) -> float:
    """Seconds until the change log is empty (aggregation caught up)."""
    started = time.monotonic()
    wait_until(
        lambda: stack.django("counts")["changes"] == 0,
        timeout=timeout,
        interval=0.5,
        what="aggregation catch-up",
    )
    return time.monotonic() - started


# --- Redis -------------------------------------------------------------------


def fault_redis(
    stack: Stack, *, outage_seconds: float = 6.0, seed: int = 11
) -> FaultResult:
    result = FaultResult("redis stopped")
    base = stack.base_url
    tokens = [register(base) for _ in range(4)]
    conn = Connection(base)
    known = numbers(6, seed)
    for index, number in enumerate(known):
        for token in tokens:
            status, _, _ = _report(
                conn, token, number, category="scam" if index % 2 else "not_spam"
            )
            result.check(status == 201, f"seeding report answered {status}")
    _wait_caught_up(stack)
    before = {n: _lookup(conn, tokens[0], n)[1].get("verdict") for n in known}

    stack.redis.stop()
    ready_status, _, ready = stack.request("GET", "/readyz")
    result.check(
        ready_status == 503, f"/readyz answered {ready_status} with Redis down"
    )
    result.check(
        isinstance(ready, dict) and ready.get("failing") == ["redis"],
        f"/readyz did not name redis: {ready!r}",
    )
    outage_numbers = numbers(40, seed + 1)[len(known) :]
    accepted: dict[int, str] = {}
    lookups = Counter()
    verdict_changed = 0
    statuses = Counter()
    slowest = 0.0
    deadline = time.monotonic() + outage_seconds
    index = 0
    while time.monotonic() < deadline and index < len(outage_numbers):
        token = tokens[index % len(tokens)]
        began = time.monotonic()
        status, body, _ = _report(conn, token, outage_numbers[index])
        slowest = max(slowest, time.monotonic() - began)
        statuses[status] += 1
        if status == 201:
            accepted[body["id"]] = outage_numbers[index]
        number = known[index % len(known)]
        began = time.monotonic()
        status, body = _lookup(conn, token, number)
        slowest = max(slowest, time.monotonic() - began)
        lookups[status] += 1
        if status == 200 and body.get("verdict") != before[number]:
            verdict_changed += 1
        index += 1
    stack.redis.start()

    caught_up = _wait_caught_up(stack)
    present = set(stack.django("report-ids-present", {"ids": sorted(accepted)}))
    lost = sorted(set(accepted) - present)
    unrated = set(stack.django("numbers-without-reputation"))
    result.figures.update(
        {
            "reports sent during the outage": sum(statuses.values()),
            "reports answered": dict(statuses),
            "lookups answered": dict(lookups),
            "lookups whose verdict differed from before the outage": verdict_changed,
            "slowest request during the outage (s)": round(slowest, 2),
            "aggregation caught up after Redis returned (s)": round(caught_up, 1),
            "reports lost": len(lost),
        }
    )
    result.check(set(statuses) == {201}, f"reports answered {dict(statuses)}")
    result.check(set(lookups) == {200}, f"lookups answered {dict(lookups)}")
    result.check(verdict_changed == 0, "lookups answered other verdicts than before")
    result.check(not lost, f"reports answered 201 but missing: {lost}")
    missing_rep = unrated & set(accepted.values())
    result.check(
        not missing_rep, f"no reputation after catch-up for {sorted(missing_rep)}"
    )
    return result


# --- PostgreSQL --------------------------------------------------------------


def fault_postgres(stack: Stack, *, seed: int = 23) -> FaultResult:
    result = FaultResult("postgres stopped and killed")
    base = stack.base_url
    token = register(base)
    conn = Connection(base)
    pool = numbers(1500, seed)
    warm = pool[0]
    status, _, _ = _report(conn, token, warm)
    result.check(status == 201, f"warm-up report answered {status}")
    _wait_caught_up(stack)
    _lookup(conn, token, warm)  # now cached: device, list and reputation
    before = stack.django("counts")

    # 1. A clean stop: everything that needs the database says 503.
    stack.postgres.stop()
    refused = pool[1:11]
    answers = Counter()
    retry_after_ok = True
    shapes_ok = True
    for number in refused:
        status, body, headers = _report(conn, token, number)
        answers[status] += 1
        retry_after_ok &= headers.get("Retry-After", "").isdigit()
        shapes_ok &= isinstance(body, dict) and "error" in body
    ready_status, _, ready = stack.request("GET", "/readyz")
    health_status, _, _ = stack.request("GET", "/healthz")
    lookup_status, _ = _lookup(conn, token, warm)
    stack.postgres.start()
    wait_until(
        lambda: stack.request("GET", "/readyz")[0] == 200, timeout=30, what="recovery"
    )
    after = stack.django("counts")
    stored = stack.django("reports-for-numbers", {"numbers": refused})
    result.figures.update(
        {
            "reports sent while stopped": len(refused),
            "answers while stopped": dict(answers),
            "lookup of a cached number while stopped": lookup_status,
            "/readyz while stopped": f"{ready_status} {_failing(ready)}",
            "/healthz while stopped": health_status,
        }
    )
    result.check(set(answers) == {503}, f"reports answered {dict(answers)}, not 503")
    result.check(retry_after_ok, "a 503 came without Retry-After")
    result.check(shapes_ok, "a 503 came without the error body")
    result.check(
        ready_status == 503 and ready.get("failing") == ["database"],
        f"/readyz answered {ready_status} {ready!r}",
    )
    result.check(health_status == 200, f"/healthz answered {health_status}")
    result.check(lookup_status in {200, 503}, f"lookup answered {lookup_status}")
    result.check(not stored, f"refused reports were stored: {stored}")
    result.check(
        after["reports"] == before["reports"] and after["changes"] <= before["changes"],
        f"row counts moved while the database was down: {before} -> {after}",
    )

    # 2. A crash (SIGKILL) under a stream of reports, then client retries.
    sent: dict[str, tuple[str, str, int]] = {}
    stop = threading.Event()
    lock = threading.Lock()
    stream_numbers = iter(pool[11:])

    def stream(token: str) -> None:
        local = Connection(base)
        while not stop.is_set():
            with lock:
                number = next(stream_numbers, None)
            if number is None:
                return
            key = str(uuid.uuid4())
            status, _, _ = _report(local, token, number, key=key)
            with lock:
                sent[number] = (token, key, status)
            stop.wait(0.04)  # a phone's pace, so the stream outlasts the outage
        local.close()

    stream_tokens = [register(base) for _ in range(2)]
    threads = [
        threading.Thread(target=stream, args=(t,), daemon=True) for t in stream_tokens
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    stack.postgres.kill()
    time.sleep(1.5)
    stack.postgres.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)
    wait_until(
        lambda: stack.request("GET", "/readyz")[0] == 200, timeout=30, what="recovery"
    )
    statuses = Counter(status for _, _, status in sent.values())
    stored = stack.django("reports-for-numbers", {"numbers": list(sent)})
    lost = [n for n, (_, _, s) in sent.items() if s == 201 and stored.get(n) != 1]
    ambiguous = [n for n, (_, _, s) in sent.items() if s != 201 and n in stored]
    # The phone retries every refused report, same device, same key.
    retried = Counter()
    for number, (token, key, status) in sent.items():
        if status != 201:
            retried[_report(conn, token, number, key=key)[0]] += 1
    stored_after = stack.django("reports-for-numbers", {"numbers": list(sent)})
    duplicates = {n: c for n, c in stored_after.items() if c != 1}
    missing = [n for n in sent if n not in stored_after]
    result.figures.update(
        {
            "reports streamed across the crash": len(sent),
            "answers": dict(statuses),
            "answered 201 but not stored": len(lost),
            "answered 503 yet committed (kill between commit and answer)": len(
                ambiguous
            ),
            "retries of refused reports answered": dict(retried),
            "numbers stored twice after retries": len(duplicates),
            "numbers missing after retries": len(missing),
        }
    )
    result.check(
        set(statuses) <= {201, 503}, f"streamed reports answered {dict(statuses)}"
    )
    result.check(statuses.get(503, 0) > 0, "the crash refused no report: too short?")
    result.check(not lost, f"answered 201 but not stored: {lost}")
    result.check(not duplicates, f"stored more than once: {duplicates}")
    result.check(not missing, f"still missing after retries: {missing}")
    caught_up = _wait_caught_up(stack)
    unrated = stack.django("numbers-without-reputation")
    result.figures["aggregation caught up after recovery (s)"] = round(caught_up, 1)
    result.check(not unrated, f"reports without reputation (half-written?): {unrated}")
    return result


# --- A worker killed mid-aggregation -----------------------------------------


def _aggregation_running(stack: Stack, database: str) -> bool:
    # The run holds the AggregationState row FOR UPDATE for its whole
    # transaction: a RowShareLock on that table (pg_class is per database,
    # so ask the run's own database).
    query = (
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = 'reputation_aggregationstate' AND l.granted "
        "AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid() "
        "AND l.database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database())"
    )
    return int(stack.sql(query, database=database) or 0) > 0


def _same_rows(got: list[dict], expected: list[dict]) -> list[str]:
    differences = []
    if len(got) != len(expected):
        differences.append(f"{len(got)} reputations, reference has {len(expected)}")
    for a, b in zip(got, expected, strict=False):
        for key in sorted(set(a) | set(b)):
            x, y = a.get(key), b.get(key)
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    differences.append(f"{a.get('number')} {key}: {x} != {y}")
            elif x != y:
                differences.append(f"{a.get('number')} {key}: {x!r} != {y!r}")
    return differences


def fault_worker(
    stack: Stack,
    *,
    reports: int = 3000,
    pool: int = 600,
    chunk: int = 50,
    pause: float = 0.25,
    seed: int = 5,
) -> FaultResult:
    result = FaultResult("worker killed mid-aggregation")
    test_db, ref_db = "kill_run", "kill_reference"
    stack.clone_database(test_db)
    stack.clone_database(ref_db)
    anchor = datetime.now(UTC).isoformat()
    payload = {
        "seed": seed,
        "anchor": anchor,
        "numbers": numbers(pool, seed),
        "devices": 400,
        "reports": reports,
    }
    stack.django("seed", payload, database=test_db)
    stack.django("seed", payload, database=ref_db)
    worker_env = {
        "DATABASE_URL": stack.postgres.url(test_db),
        "CELERY_BROKER_URL": stack.redis.url(3),
        "AGGREGATION_CHUNK_SIZE": str(chunk),
        "AGGREGATION_CHUNK_PAUSE_SECONDS": str(pause),
    }
    worker = stack.another_worker(worker_env)
    worker.start()
    try:
        stack.django("enqueue-aggregation", env=worker_env, database=test_db)
        wait_until(
            lambda: _aggregation_running(stack, test_db),
            timeout=30,
            interval=0.05,
            what="aggregation start",
        )
        time.sleep(pause * 6)  # a few chunks in
        running = _aggregation_running(stack, test_db)
        worker.kill()
        result.check(running, "the run had already finished before the kill")
        mid = stack.django("counts", database=test_db)
        result.figures["after the kill: reputations, change rows"] = (
            f"{mid['reputations']}, {mid['changes']}"
        )
        result.check(mid["reputations"] == 0, "the killed run left reputations behind")
        result.check(mid["changes"] == reports, "the killed run consumed change rows")

        # The next scheduled run (beat would send it within a minute), on a
        # worker started afresh, at full speed this time.
        worker = stack.another_worker(
            {**worker_env, "AGGREGATION_CHUNK_PAUSE_SECONDS": "0"}
        )
        worker.start()
        started = time.monotonic()
        stack.django("enqueue-aggregation", env=worker_env, database=test_db)
        wait_until(
            lambda: stack.django("counts", database=test_db)["changes"] == 0,
            timeout=180,
            interval=0.5,
            what="the next run",
        )
        result.figures["next run finished in (s)"] = round(
            time.monotonic() - started, 1
        )
    finally:
        worker.stop()

    state = stack.django("aggregation-state", database=test_db)
    stack.django("aggregate", {"now": state["last_run_at"]}, database=ref_db)
    got = stack.django("reputations", database=test_db)
    expected = stack.django("reputations", database=ref_db)
    differences = _same_rows(got, expected)
    verdicts = Counter(row["verdict"] for row in got)
    result.figures.update(
        {
            "reports seeded": reports,
            "reputations after recovery": len(got),
            "verdicts": dict(verdicts),
            "differences from the uninterrupted reference run": len(differences),
        }
    )
    result.check(not differences, "; ".join(differences[:10]))
    for database in (test_db, ref_db):
        stack.postgres.drop_database(database)
    return result


FAULTS = {"redis": fault_redis, "postgres": fault_postgres, "worker": fault_worker}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help=f"any of {', '.join(FAULTS)}")
    args = parser.parse_args(argv)
    chosen = args.faults or list(FAULTS)
    unknown = set(chosen) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")

    print(
        "starting private PostgreSQL, Redis, gunicorn, worker and beat...", flush=True
    )
    results = []
    env = {**UNTHROTTLED, "AGGREGATE_EVERY_SECONDS": "2"}
    with Stack.start(worker=True, beat=True, env=env) as stack:
        for name in chosen:
            print(f"fault: {name}...", flush=True)
            outcome = FAULTS[name](stack)
            results.append(outcome)
            print(outcome.summary(), flush=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
