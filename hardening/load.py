"""A small load generator: threads of phones over keep-alive connections.

Each thread holds one ``http.client`` connection (HTTP/1.1 keep-alive, as a
phone's HTTP stack does) and plays phones drawn from a pool: look numbers up,
file reports, sync the block list, read its own device. Every answer is
tallied by operation and status; a connection that fails is counted as an
error and reopened. Report ids answered with 201 are kept so the caller can
prove every one of them is in the database.

    from hardening.load import LoadPlan, run_load
    stats = run_load(base_url, LoadPlan(tokens=tokens, seconds=60))
    print(stats.summary())
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from hardening.api import auth, numbers, report_body
from hardening.stack import PROXY_HEADERS

CATEGORIES = ("scam", "telemarketing", "robocall", "not_spam", "survey")


class Connection:
    """One keep-alive connection; reopened after any failure."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: object | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, object, dict[str, str]]:
        """(status, parsed body, headers); status 0 when the connection failed."""
        payload = None if body is None else json.dumps(body).encode()
        sent = {**PROXY_HEADERS, **(headers or {})}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            self.conn.request(method, path, body=payload, headers=sent)
            response = self.conn.getresponse()
            raw = response.read()
            got = dict(response.getheaders())
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, None, {}
        try:
            parsed: object = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, got

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Stats:
    """Answers by operation and status, latencies, and the reports stored."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    report_ids: set[int] = field(default_factory=set)
    started: float = 0.0
    finished: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, op: str, status: int, seconds: float, report_id=None) -> None:
        with self.lock:
            self.counts[op][status] += 1
            self.latencies[op].append(seconds)
            if report_id is not None:
                self.report_ids.add(report_id)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def count(self, predicate: Callable[[int], bool], op: str | None = None) -> int:
        ops = [op] if op else list(self.counts)
        return sum(
            n
            for name in ops
            for status, n in self.counts.get(name, Counter()).items()
            if predicate(status)
        )

    @property
    def errors(self) -> int:
        """Connection failures and 5xx answers."""
        return self.count(lambda s: s == 0 or s >= 500)

    @property
    def throttled(self) -> int:
        return self.count(lambda s: s == 429)

    @property
    def error_rate(self) -> float:
        return self.errors / self.total if self.total else 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def percentile(self, op: str, fraction: float) -> float:
        values = sorted(self.latencies.get(op, []))
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(fraction * len(values)))]

    def summary(self) -> str:
        lines = [
            f"requests:   {self.total} in {self.seconds:.1f}s "
            f"({self.total / self.seconds:.0f}/s)",
            f"errors:     {self.errors} (5xx and connection failures), "
            f"rate {self.error_rate:.4%}",
            f"throttled:  {self.throttled} (429)",
            f"reports:    {len(self.report_ids)} stored (201)",
        ]
        for op in sorted(self.counts):
            statuses = ", ".join(
                f"{status}: {n}" for status, n in sorted(self.counts[op].items())
            )
            lines.append(
                f"  {op:<10} {statuses}; p50 {self.percentile(op, 0.5) * 1000:.0f} ms,"
                f" p99 {self.percentile(op, 0.99) * 1000:.0f} ms"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "requests": self.total,
            "seconds": round(self.seconds, 1),
            "errors": self.errors,
            "error_rate": self.error_rate,
            "throttled": self.throttled,
            "reports_stored": len(self.report_ids),
            "by_operation": {
                op: {str(k): v for k, v in sorted(c.items())}
                for op, c in self.counts.items()
            },
        }


@dataclass
class LoadPlan:
    tokens: list[str]
    seconds: float = 60.0
    threads: int = 8
    # Relative weights of the operations phones perform.
    mix: dict[str, float] = field(
        default_factory=lambda: {"lookup": 60, "report": 15, "sync": 15, "me": 10}
    )
    # Numbers phones look up and report: a pool, so reports pile up on some.
    number_pool: int = 500
    seed: int = 7
    # Upper bound on requests per second over all threads (None: as fast as
    # the server answers).
    max_rate: float | None = None
    lookup_path: str | None = None
    lookup_method: str = "GET"


class Phone:
    """The operations one phone performs, over a thread's connection."""

    def __init__(self, plan: LoadPlan, conn: Connection, rng: random.Random) -> None:
        self.plan = plan
        self.conn = conn
        self.rng = rng
        self.pool = numbers(plan.number_pool, plan.seed)

    def lookup(self, token: str) -> tuple[int, int | None]:
        number = self.rng.choice(self.pool)
        path = self.plan.lookup_path
        if path is None:
            return self.me(token)
        if self.plan.lookup_method == "GET":
            status, _, _ = self.conn.request(
                "GET",
                path.format(number=number.replace("+", "%2B")),
                headers=auth(token),
            )
        else:
            status, _, _ = self.conn.request(
                "POST", path, body={"number": number}, headers=auth(token)
            )
        return status, None

    def report(self, token: str) -> tuple[int, int | None]:
        number = self.rng.choice(self.pool)
        category = self.rng.choice(CATEGORIES)
        body = report_body(number, category, minutes_ago=self.rng.uniform(0.5, 600))
        status, answer, _ = self.conn.request(
            "POST", "/api/v1/reports/", body=body, headers=auth(token)
        )
        report_id = (
            answer.get("id") if status == 201 and isinstance(answer, dict) else None
        )
        return status, report_id

    def sync(self, token: str) -> tuple[int, int | None]:
        status, _, _ = self.conn.request(
            "GET",
            "/api/v1/blocklist/",
            headers={**auth(token), "Accept-Encoding": "identity"},
        )
        return status, None

    def me(self, token: str) -> tuple[int, int | None]:
        status, _, _ = self.conn.request(
            "GET", "/api/v1/devices/me/", headers=auth(token)
        )
        return status, None


def run_load(
    base_url: str, plan: LoadPlan, *, stop: threading.Event | None = None
) -> Stats:
    """Run ``plan`` against ``base_url``; bounded in time, stops by itself."""
    stats = Stats()
    stop = stop or threading.Event()
    ops = list(plan.mix)
    weights = [plan.mix[op] for op in ops]
    deadline = time.monotonic() + plan.seconds
    interval = plan.threads / plan.max_rate if plan.max_rate else 0.0

    def worker(index: int) -> None:
        rng = random.Random(plan.seed * 1000 + index)
        conn = Connection(base_url)
        phone = Phone(plan, conn, rng)
        next_at = time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                op = rng.choices(ops, weights)[0]
                token = rng.choice(plan.tokens)
                began = time.monotonic()
                status, report_id = getattr(phone, op)(token)
                stats.record(op, status, time.monotonic() - began, report_id)
                if interval:
                    next_at += interval
                    delay = next_at - time.monotonic()
                    if delay > 0:
                        stop.wait(delay)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=worker, args=(i,), daemon=True)
        for i in range(plan.threads)
    ]
    stats.started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(plan.seconds + 60)
    stats.finished = time.monotonic()
    return stats


@dataclass
class HammerResult:
    """One device sending as fast as it can: what got through, per window."""

    accepted_by_window: dict[int, int]
    throttled: int
    other: Counter
    retry_after_ok: bool

    @property
    def accepted(self) -> int:
        return sum(self.accepted_by_window.values())


def hammer_reports(
    base_url: str, token: str, *, seconds: float, window_seconds: int, seed: int = 3
) -> HammerResult:
    """POST reports from one device for ``seconds``, as fast as answered;
    group the 201s by the rate limit's fixed window."""
    conn = Connection(base_url)
    rng = random.Random(seed)
    pool = numbers(2000, seed + 99)
    accepted: Counter = Counter()
    other: Counter = Counter()
    throttled = 0
    retry_after_ok = True
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            body = report_body(rng.choice(pool), "scam", minutes_ago=rng.uniform(1, 60))
            sent_at = time.time()
            status, _, headers = conn.request(
                "POST", "/api/v1/reports/", body=body, headers=auth(token)
            )
            if status == 201:
                accepted[int(sent_at // window_seconds)] += 1
            elif status == 429:
                throttled += 1
                retry = headers.get("Retry-After", "")
                retry_after_ok &= retry.isdigit() and 1 <= int(retry) <= window_seconds
            else:
                other[status] += 1
    finally:
        conn.close()
    return HammerResult(dict(accepted), throttled, other, retry_after_ok)
