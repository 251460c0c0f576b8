"""Fuzz the API from its own OpenAPI schema, against the production server.

    .venv/bin/python -m hardening.fuzz                    # CI size
    .venv/bin/python -m hardening.fuzz --max-examples 500 # release check

Starts a private stack (PostgreSQL, Redis, gunicorn with DEBUG off), then
runs Schemathesis (``st run``) on ``/api/schema/`` with every check but one,
authenticated as a device registered through the API
(``hardening/fuzz_hooks.py``). Counts come from two places that must agree:
Schemathesis's JSON report, and the server's own access log, which gives the
number of requests that reached gunicorn and how many answered 5xx.

The check left out is ``positive_data_acceptance``: it expects every
schema-valid value to be accepted, but the API validates what a schema
cannot say (a region code phonenumbers knows, a number that dials, a call
time within the last 30 days), so a 400 there is the API working.

Failures of ``negative_data_rejection`` (ST201, a schema-violating request
answered 2xx) are reported as *lenient inputs* but do not fail the run: the
target is no server error and no answer that breaks the schema, and the
known lenient inputs (an empty optional query parameter read as absent, as
DRF reads form data) are harmless. Every other check fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hardening.stack import PROXY_HEADERS, VENV_BIN, Gunicorn, Stack

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
]

# Reported, not failing: a schema-violating request that was accepted.
ADVISORY_CODES = frozenset({"ST201"})

# Every limit far above what the fuzzer sends: the fuzz is about inputs.
UNTHROTTLED = {
    f"THROTTLE_{scope}": "1000000/min"
    for scope in (
        "DEVICE",
        "IP",
        "REGISTER",
        "REPORT",
        "LOOKUP",
        "DISPUTE_IP",
        "DISPUTE_NUMBER",
    )
}

_ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) '
)


@dataclass
class FuzzResult:
    operations: int = 0
    test_cases: int = 0
    requests: int = 0
    server_errors: int = 0
    failures: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exit_code: int = 0
    report_path: str = ""
    output: str = ""
    server_error_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def blocking(self) -> list[dict]:
        return [f for f in self.failures if f.get("code") not in ADVISORY_CODES]

    @property
    def lenient(self) -> list[dict]:
        return [f for f in self.failures if f.get("code") in ADVISORY_CODES]

    @property
    def clean(self) -> bool:
        return not self.blocking and not self.errors and self.server_errors == 0

    def summary(self) -> str:
        lines = [
            f"operations fuzzed:  {self.operations}",
            f"test cases:         {self.test_cases}",
            f"requests served:    {self.requests}",
            f"server errors (5xx): {self.server_errors}",
            f"check failures:     {sum(f.get('count', 1) for f in self.blocking)}",
            f"lenient inputs:     {sum(f.get('count', 1) for f in self.lenient)}",
            f"run time:           {self.seconds:.1f}s",
        ]
        for failure in self.failures:
            lines.append(
                f"  {failure.get('code')} {failure.get('title')}: "
                f"{', '.join(failure.get('operations', []))}"
            )
        lines += [f"  error: {error}" for error in self.errors]
        lines += [f"  5xx: {line}" for line in self.server_error_lines[:20]]
        return "\n".join(lines)


def _access_log_counts(web: Gunicorn, offset: int) -> tuple[int, list[str]]:
    requests, server_errors = 0, []
    for line in web.log_text()[offset:].splitlines():
        if "schemathesis/" not in line:
            continue
        match = _ACCESS_LINE.search(line)
        if match is None:
            continue
        requests += 1
        if match["status"].startswith("5"):
            server_errors.append(line)
    return requests, server_errors


def run_fuzz(
    web: Gunicorn,
    *,
    max_examples: int = 25,
    seed: int | None = 20261204,
    report_dir: Path | None = None,
    max_time: int | None = None,
    workers: int = 1,
    extra_args: list[str] | None = None,
) -> FuzzResult:
    """Run ``st run`` against a running server and collect the figures."""
    report_dir = report_dir or Path(tempfile.mkdtemp(prefix="callguard-fuzz-"))
    report_dir.mkdir(parents=True, exist_ok=True)
    report_path = report_dir / "schemathesis.json"
    report_path.unlink(missing_ok=True)
    base_url = web.base_url
    cmd = [
        str(VENV_BIN / "st"),
        "run",
        f"{base_url}/api/schema/",
        "--url",
        base_url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(max_examples),
        "--workers",
        str(workers),
        "--report",
        "json,junit",
        "--report-dir",
        str(report_dir),
        "--report-json-path",
        str(report_path),
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
    ]
    for name, value in PROXY_HEADERS.items():
        cmd += ["-H", f"{name}: {value}"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if max_time:
        cmd += ["--max-time", str(max_time)]
    cmd += extra_args or []
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "hardening.fuzz_hooks",
        "HARDENING_FUZZ_BASE_URL": base_url,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "NO_COLOR": "1",
    }
    env.pop("HARDENING_FUZZ_TOKEN", None)
    offset = len(web.log_text())
    completed = subprocess.run(
        cmd, env=env, capture_output=True, text=True, cwd=report_dir, timeout=3600
    )
    result = FuzzResult(exit_code=completed.returncode, report_path=str(report_path))
    result.output = completed.stdout + completed.stderr
    if not report_path.exists():
        result.errors.append(f"no report; st exited {completed.returncode}")
        return result
    report = json.loads(report_path.read_text())
    result.operations = report["operations"]["tested"]
    result.test_cases = report["test_cases"]["generated"]
    result.failures = report.get("failures") or []
    result.errors = [json.dumps(e)[:500] for e in report.get("errors") or []]
    result.seconds = float(report.get("running_time") or 0)
    result.requests, result.server_error_lines = _access_log_counts(web, offset)
    result.server_errors = len(result.server_error_lines)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--max-time", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--report-dir", type=Path, default=None)
    parser.add_argument(
        "--verbose", action="store_true", help="print Schemathesis's own report"
    )
    args = parser.parse_args(argv)

    print("starting private PostgreSQL, Redis and gunicorn...", flush=True)
    with Stack.start(env=UNTHROTTLED) as stack:
        result = run_fuzz(
            stack.web,
            max_examples=args.max_examples,
            seed=args.seed,
            max_time=args.max_time,
            workers=args.workers,
            report_dir=args.report_dir,
        )
        if args.verbose or result.failures or result.errors:
            print(result.output)
        print(result.summary())
        print(f"report: {result.report_path}")
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main())
