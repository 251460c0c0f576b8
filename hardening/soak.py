"""Soak: minutes of mixed phone traffic with aggregation running, then proof.

    .venv/bin/python -m hardening.soak                 # 60 s, as CI runs it
    .venv/bin/python -m hardening.soak --seconds 900   # release check

On a private stack (PostgreSQL, Redis, gunicorn, Celery worker and beat
aggregating every few seconds) phones look numbers up, report, sync the
block list and read their device over keep-alive connections, while one
device hammers the report endpoint. Afterwards:

* every report answered 201 is in the database;
* no request failed: no 5xx, no connection error;
* ordinary phones were never throttled (the rates below leave them room);
* the hammering device got 201s up to its report rate in each window and
  429s (with Retry-After) beyond it;
* the aggregation caught up: no change-log row is left.

Every request comes from 127.0.0.1, so the per-address limit is set out of
the way; the per-device limits are the ones under test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field

from hardening.api import register
from hardening.load import HammerResult, LoadPlan, Stats, hammer_reports, run_load
from hardening.stack import Stack, wait_until

REPORT_RATE = 60
RATE_WINDOW = 60
SOAK_RATES = {
    "THROTTLE_DEVICE": "6000/min",
    "THROTTLE_IP": "1000000/min",
    "THROTTLE_REGISTER": "100000/min",
    "THROTTLE_REPORT": f"{REPORT_RATE}/min",
    "THROTTLE_LOOKUP": "6000/min",
}
# A request sent just before a window ends can be counted just after it.
WINDOW_SLACK = 2


@dataclass
class SoakResult:
    stats: Stats
    hammer: HammerResult
    missing_reports: list[int] = field(default_factory=list)
    ordinary_throttled: int = 0
    changes_left: int = -1
    catch_up_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        windows = ", ".join(
            f"{n}" for _, n in sorted(self.hammer.accepted_by_window.items())
        )
        lines = [
            self.stats.summary(),
            f"hammering device: {self.hammer.accepted} accepted per window "
            f"[{windows}] (rate {REPORT_RATE}/{RATE_WINDOW}s), "
            f"{self.hammer.throttled} answered 429, other {dict(self.hammer.other)}",
            f"reports answered 201 missing from the database: "
            f"{len(self.missing_reports)}",
            f"aggregation caught up: {self.changes_left} change rows left, "
            f"{self.catch_up_seconds:.1f}s after the load stopped",
        ]
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _lookup_route(stack: Stack) -> tuple[str | None, str]:
    """The lookup endpoint as the schema documents it, if there is one."""
    status, _, schema = stack.request("GET", "/api/schema/?format=json")
    if status != 200 or not isinstance(schema, dict):
        return None, "GET"
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            op_id = (
                str(operation.get("operationId", ""))
                if isinstance(operation, dict)
                else ""
            )
            if op_id.startswith("lookup") and "batch" not in op_id:
                if "{number}" in path:
                    return path, method.upper()
                if method.upper() == "GET":
                    return path + "?number={number}", "GET"
                return path, method.upper()
    return None, "GET"


def _ordinary_rate_cap(plan: LoadPlan) -> float:
    """Requests per second at which an ordinary phone files, on average, a
    third of its report rate: however fast the machine, the ordinary phones
    stay clear of their limit and only the hammering device meets it."""
    report_share = plan.mix["report"] / sum(plan.mix.values())
    per_phone = REPORT_RATE / RATE_WINDOW / 3
    return per_phone * len(plan.tokens) / report_share


def soak(
    stack: Stack, *, seconds: float = 60, phones: int = 200, threads: int = 6
) -> SoakResult:
    web = stack.another_web(SOAK_RATES, workers=2)
    base = web.base_url
    tokens = [register(base) for _ in range(phones)]
    hammer_token = register(base)
    lookup_path, lookup_method = _lookup_route(stack)
    plan = LoadPlan(
        tokens=tokens,
        seconds=seconds,
        threads=threads,
        lookup_path=lookup_path,
        lookup_method=lookup_method,
    )
    plan.max_rate = _ordinary_rate_cap(plan)

    hammer_box: list[HammerResult] = []
    hammer = threading.Thread(
        target=lambda: hammer_box.append(
            hammer_reports(
                base, hammer_token, seconds=seconds, window_seconds=RATE_WINDOW
            )
        ),
        daemon=True,
    )
    hammer.start()
    stats = run_load(base, plan)
    hammer.join(seconds + 60)
    web.stop()
    result = SoakResult(stats=stats, hammer=hammer_box[0])

    present = set(stack.django("report-ids-present", {"ids": sorted(stats.report_ids)}))
    result.missing_reports = sorted(stats.report_ids - present)
    result.ordinary_throttled = stats.throttled

    stopped = time.monotonic()
    with contextlib.suppress(TimeoutError):
        wait_until(
            lambda: stack.django("counts")["changes"] == 0,
            timeout=120,
            interval=1,
            what="aggregation catch-up",
        )
    result.catch_up_seconds = time.monotonic() - stopped
    result.changes_left = stack.django("counts")["changes"]

    _judge(result)
    return result


def _judge(result: SoakResult) -> None:
    problems = result.problems
    stats, hammer = result.stats, result.hammer
    if stats.errors:
        problems.append(f"{stats.errors} requests failed (5xx or connection)")
    if result.missing_reports:
        problems.append(f"reports lost: {result.missing_reports[:20]}")
    if result.ordinary_throttled:
        problems.append(f"ordinary phones throttled {result.ordinary_throttled} times")
    if stats.count(lambda s: 400 <= s < 500 and s != 429):
        problems.append("ordinary phones got 4xx answers to valid requests")
    if result.changes_left != 0:
        problems.append(f"aggregation left {result.changes_left} change rows")
    over = {
        w: n
        for w, n in hammer.accepted_by_window.items()
        if n > REPORT_RATE + WINDOW_SLACK
    }
    if over:
        problems.append(f"rate limit exceeded in windows {over}")
    if hammer.throttled == 0:
        problems.append("the hammering device was never throttled")
    if not hammer.retry_after_ok:
        problems.append("a 429 came without a sensible Retry-After")
    if hammer.other:
        problems.append(f"the hammering device got {dict(hammer.other)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--json", action="store_true", help="also print JSON figures")
    args = parser.parse_args(argv)

    print(
        "starting private PostgreSQL, Redis, gunicorn, worker and beat...", flush=True
    )
    with Stack.start(
        worker=True, beat=True, env={"AGGREGATE_EVERY_SECONDS": "5"}
    ) as stack:
        print(f"soaking for {args.seconds:.0f}s...", flush=True)
        result = soak(
            stack, seconds=args.seconds, phones=args.phones, threads=args.threads
        )
        print(result.summary())
        if args.json:
            print(json.dumps(result.stats.as_dict()))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
