"""Lookup throughput and latency, against the framework's own floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/lookup.py

Starts gunicorn (gthread workers, keep-alive) on 127.0.0.1 with DEBUG off
against PostgreSQL and Redis, seeds a device with a personal list and
10,000 reputations, warms the caches, then measures on the same server:

1. peak throughput of ``GET /api/v1/ping/`` (a DRF view with no auth, no
   throttle: the floor) and of ``GET /api/v1/lookup/`` (cache hits), each
   the best of alternating rounds (a shared VM's bad moments only ever
   slow a round down), with ``wrk`` if it is installed, else with a Python
   load generator, and the CPU time gunicorn's workers spent per request;
2. the lookup's latency at half its peak, from a paced (open-loop) Python
   generator that measures from each request's scheduled start, so a stall
   is not hidden by the generator waiting for it.

Targets (not gates): lookup >= 0.8 x ping throughput; p99 < 10 ms at half
peak. Everything runs in a scratch database ``<name>_bench_lookup`` that is
created, migrated and dropped by this script; the named database is not
touched. Cache keys get their own prefix (``cgbench``).
"""

import argparse
import concurrent.futures
import http.client
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED_NUMBERS = 10_000
HOST = "127.0.0.1"


def bench_env(port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-" + "x" * 40),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_KEY_PREFIX": "cgbench",
        "LOG_LEVEL": "WARNING",
        # The benchmark is one device asking as fast as it can.
        "THROTTLE_LOOKUP": "100000000/min",
        "THROTTLE_IP": "100000000/min",
        "THROTTLE_DEVICE": "100000000/min",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            sys.exit(f"Set {name}: the benchmark runs on PostgreSQL and Redis.")
    return env


def scratch_database() -> tuple[object, str]:
    """Create and migrate ``<name>_bench_lookup``; (teardown handle, URL)."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    db = connection.settings_dict
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_bench_lookup"
    old_config = setup_databases(verbosity=0, interactive=False)
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{db.get('USER') or ''}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    return old_config, url


def seed() -> tuple[str, list[str]]:
    """A device (with a personal list) and reputations; its token, numbers."""
    from django.utils import timezone

    from apps.devices.auth import token_new
    from apps.devices.models import Device
    from apps.lists.models import ListEntry
    from apps.reputation.models import Reputation

    now = timezone.now()
    secret, hashed = token_new()
    device = Device.objects.create(
        token_hash=hashed,
        platform="android",
        region="US",
        phone_number="+16502530000",
        created_at=now,
        updated_at=now,
    )
    ListEntry.objects.bulk_create(
        ListEntry(
            device=device,
            pattern=f"+1800555{i:02d}",
            is_prefix=True,
            action="block",
            created_at=now,
        )
        for i in range(20)
    )
    numbers = [f"+1415201{i:04d}" for i in range(SEED_NUMBERS)]
    verdicts = ["block", "warn", "allow", "unknown"]
    Reputation.objects.bulk_create(
        [
            Reputation(
                number=number,
                region="US",
                verdict=verdicts[i % 4],
                score=float(i % 100),
                label="Scam likely" if i % 4 < 2 else "",
                category="scam",
                reasons=["crowd_reports"],
                spam_count=i % 50,
                reporters=i % 50,
                last_reported_at=now,
                computed_at=now,
            )
            for i, number in enumerate(numbers)
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["verdict", "score", "label", "computed_at"],
    )
    return secret, numbers


def start_server(env: dict, port: int, workers: int, threads: int):
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--keep-alive=30",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def lookup_path(number: str) -> str:
    return f"/api/v1/lookup/?number={quote(number)}"


def warm(port: int, token: str, numbers: list[str]) -> None:
    """One lookup of every number per worker process: every cache filled."""
    connection = http.client.HTTPConnection(HOST, port)
    headers = {"Authorization": f"Token {token}"}
    for _ in range(3):
        for number in numbers:
            connection.request("GET", lookup_path(number), headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                sys.exit(f"lookup answered {response.status}: {body[:200]!r}")
        connection.close()
        connection = http.client.HTTPConnection(HOST, port)


# --- Closed-loop peak: wrk, or Python threads ------------------------------

_WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Token %s"})
end
"""


def peak_wrk(port, path_or_paths, token, seconds, connections) -> tuple[float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s"]
    with tempfile.TemporaryDirectory() as scratch:
        if isinstance(path_or_paths, list):
            paths = ",".join(f'"{p}"' for p in path_or_paths)
            script = Path(scratch) / "lookup.lua"
            script.write_text(_WRK_SCRIPT % (paths, token))
            command += ["-s", str(script), f"http://{HOST}:{port}/"]
        else:
            command += [f"http://{HOST}:{port}{path_or_paths}"]
        run = subprocess.run(command, capture_output=True, text=True, check=True)
    out = run.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"wrk saw {errors.group(1)} error responses:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, int(re.search(r"(\d+) requests in", out).group(1))


def peak_python(port, path_or_paths, token, seconds, connections) -> tuple[float, int]:
    paths = path_or_paths if isinstance(path_or_paths, list) else [path_or_paths]
    headers = {"Authorization": f"Token {token}"}
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection(HOST, port)
        i = slot
        while time.monotonic() < stop:
            connection.request("GET", paths[i % len(paths)], headers=headers)
            connection.getresponse().read()
            counts[slot] += 1
            i += connections

    threads = [threading.Thread(target=client, args=(s,)) for s in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, sum(counts)


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    pid = server.pid
    total = 0.0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured_round(server, peak, *args) -> tuple[float, float]:
    """(requests per second, server CPU milliseconds per request)."""
    before = server_cpu_seconds(server)
    rate, requests = peak(*args)
    return rate, (server_cpu_seconds(server) - before) * 1000 / requests


# --- Open-loop latency at a fixed rate ---------------------------------------


def _paced_client(port, paths, token, rate, total, start, slot, clients) -> list:
    headers = {"Authorization": f"Token {token}"}
    connection = http.client.HTTPConnection(HOST, port)
    latencies = []
    for i in range(slot, total, clients):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        connection.request("GET", paths[i % len(paths)], headers=headers)
        connection.getresponse().read()
        latencies.append(time.perf_counter() - scheduled)
    return latencies


def paced_latencies(port, paths, token, rate, seconds, clients=4) -> list[float]:
    """Latency of each request from its scheduled start, at ``rate`` per
    second spread over ``clients`` processes (no GIL between them), each
    with one keep-alive connection. ``perf_counter`` is the system-wide
    monotonic clock on Linux, so the processes share one schedule."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(clients, mp_context=context) as pool:
        futures = [
            pool.submit(
                _paced_client, port, paths, token, rate, total, start, slot, clients
            )
            for slot in range(clients)
        ]
        latencies = [x for future in futures for x in future.result()]
    return sorted(latencies)


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, int(share * len(sorted_values)))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    env = bench_env(args.port)
    os.environ.update(env)
    old_config, env["DATABASE_URL"] = scratch_database()
    try:
        measured = measure(args, env)
    finally:
        from django.db import connections
        from django.test.utils import teardown_databases

        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    report(args, *measured)


def measure(args, env: dict) -> tuple:
    token, numbers = seed()
    server = start_server(env, args.port, args.workers, args.threads)
    try:
        sample = numbers[:2000]
        warm(args.port, token, sample)
        paths = [lookup_path(n) for n in sample]
        peak = peak_wrk if shutil.which("wrk") else peak_python
        ping, lookup = [], []
        for _ in range(args.rounds):
            common = (token, args.seconds, args.connections)
            ping.append(
                measured_round(server, peak, args.port, "/api/v1/ping/", *common)
            )
            lookup.append(measured_round(server, peak, args.port, paths, *common))
        rate = max(r for r, _ in lookup) / 2
        latencies = paced_latencies(args.port, paths, token, rate, args.seconds * 2)
    finally:
        server.terminate()
        server.wait()
    return peak, ping, lookup, rate, latencies


def report(args, peak, ping, lookup, rate, latencies) -> None:
    ping_rps, ping_cpu = max(r for r, _ in ping), min(c for _, c in ping)
    lookup_rps, lookup_cpu = max(r for r, _ in lookup), min(c for _, c in lookup)
    ratio = lookup_rps / ping_rps
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(
        f"load generator: {peak.__name__.removeprefix('peak_')}, "
        f"{args.connections} connections; gunicorn gthread "
        f"{args.workers} workers x {args.threads} threads; {os.cpu_count()} CPUs"
    )
    for name, rps, cpu, rounds in (
        ("ping  ", ping_rps, ping_cpu, ping),
        ("lookup", lookup_rps, lookup_cpu, lookup),
    ):
        each = ", ".join(f"{r:.0f}" for r, _ in rounds)
        print(
            f"{name} peak: {rps:6.0f} req/s (rounds {each}); "
            f"gunicorn CPU {cpu:.3f} ms per request"
        )
    print(f"lookup / ping throughput: {ratio:.2f}  (target >= 0.80)")
    print(
        f"lookup / ping by gunicorn CPU per request: {ping_cpu / lookup_cpu:.2f} "
        "(the same comparison, less disturbed by other load on the machine)"
    )
    print(
        f"lookup at {rate:.0f} req/s (half peak), {len(latencies)} requests: "
        f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms  (target p99 < 10 ms)"
    )


if __name__ == "__main__":
    main()
