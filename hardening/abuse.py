"""Abuse simulation: can fresh devices get a clean number blocked, and how
many ordinary reports does a real scam campaign need?

    .venv/bin/python -m hardening.abuse
    .venv/bin/python -m hardening.abuse --attackers 200 --campaign 10

On a private stack, through the real API and the real aggregation (run after
every step):

1. A clean, long-established number: several devices registered a year ago
   reported it ``not_spam``. Then fresh devices, registered through the API
   minutes before, report it as ``scam``, a few more after each step. The
   verdict after each step is recorded; it must never reach ``block``.
2. A campaign of scam numbers, reported one more time per step by ordinary
   devices (registered 2 to 12 months ago). The number of reports each
   needed to reach ``block`` is recorded.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from dataclasses import dataclass, field

from hardening.api import auth, numbers, register, report_body
from hardening.load import Connection
from hardening.stack import Stack

ABUSE_RATES = {
    "THROTTLE_DEVICE": "100000/min",
    "THROTTLE_IP": "1000000/min",
    "THROTTLE_REGISTER": "100000/min",
    "THROTTLE_REPORT": "100000/min",
    "THROTTLE_LOOKUP": "100000/min",
}


@dataclass
class AbuseResult:
    clean_number_history: int = 0
    attackers: int = 0
    clean_verdicts: list[tuple[int, str]] = field(default_factory=list)
    campaign_numbers: int = 0
    reports_to_block: dict[str, int | None] = field(default_factory=dict)
    campaign_verdicts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean_blocked(self) -> bool:
        return any(verdict == "block" for _, verdict in self.clean_verdicts)

    @property
    def clean_worst(self) -> str:
        order = ["allow", "unknown", "warn", "block"]
        seen = [v for _, v in self.clean_verdicts] or ["unknown"]
        return max(seen, key=order.index)

    @property
    def campaign_blocked(self) -> int:
        return sum(1 for n in self.reports_to_block.values() if n is not None)

    def summary(self) -> str:
        needed = [n for n in self.reports_to_block.values() if n is not None]
        steps = ", ".join(f"{n}:{v}" for n, v in self.clean_verdicts)
        lines = [
            f"clean number: {self.clean_number_history} not_spam reports from "
            f"year-old devices, then {self.attackers} fresh devices report scam",
            f"  verdict after N fresh scam reports: {steps}",
            f"  worst verdict reached: {self.clean_worst}; "
            f"blocked: {'YES' if self.clean_blocked else 'no'}",
            f"campaign: {self.campaign_numbers} scam numbers reported by aged devices",
            f"  reached block: {self.campaign_blocked}/{self.campaign_numbers}",
        ]
        if needed:
            lines.append(
                f"  reports needed to reach block: min {min(needed)}, "
                f"median {statistics.median(needed):g}, max {max(needed)}"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "clean_number_history": self.clean_number_history,
            "attackers": self.attackers,
            "clean_verdicts": self.clean_verdicts,
            "clean_blocked": self.clean_blocked,
            "campaign_numbers": self.campaign_numbers,
            "reports_to_block": self.reports_to_block,
        }


def _verdicts(stack: Stack, wanted: list[str]) -> dict[str, str]:
    """Run the real aggregation, then read the verdicts of ``wanted``."""
    found = stack.django("verdicts", {"numbers": wanted, "aggregate": True})
    return {number: found.get(number, "unknown") for number in wanted}


def simulate(
    stack: Stack,
    *,
    history: int = 6,
    attackers: int = 60,
    attack_step: int = 5,
    campaign: int = 5,
    max_reporters: int = 30,
    campaign_step: int = 1,
    seed: int = 99,
) -> AbuseResult:
    """Run both scenarios; ``campaign_step`` reporters are added per number
    between aggregation runs (1: the exact count needed to block)."""
    web = stack.another_web(ABUSE_RATES)
    base = web.base_url
    conn = Connection(base)
    rng = random.Random(seed)
    result = AbuseResult(clean_number_history=history, campaign_numbers=campaign)
    pool = numbers(campaign + 1, seed)
    clean, scams = pool[0], pool[1:]

    def report(token: str, number: str, category: str) -> None:
        body = report_body(number, category, minutes_ago=rng.uniform(5, 60 * 24 * 20))
        status, answer, _ = conn.request(
            "POST", "/api/v1/reports/", body=body, headers=auth(token)
        )
        if status != 201:
            raise RuntimeError(f"report answered {status}: {answer!r}")

    # 1. The clean number: history from year-old devices, then the attack.
    elders = stack.django("make-devices", {"count": history, "age_days": 365})
    for device in elders:
        report(device["token"], clean, "not_spam")
    result.clean_verdicts.append((0, _verdicts(stack, [clean])[clean]))
    sent = 0
    while sent < attackers:
        for _ in range(min(attack_step, attackers - sent)):
            report(register(base), clean, "scam")
            sent += 1
        result.clean_verdicts.append((sent, _verdicts(stack, [clean])[clean]))
    result.attackers = sent

    # 2. The campaign: one more ordinary reporter per number per step.
    reporters = stack.django(
        "make-devices",
        {"count": max_reporters, "age_days": 60, "max_age_days": 365, "seed": seed},
    )
    result.reports_to_block = dict.fromkeys(scams)
    result.campaign_verdicts = {number: [] for number in scams}
    filed = 0
    while filed < max_reporters:
        open_numbers = [n for n in scams if result.reports_to_block[n] is None]
        if not open_numbers:
            break
        batch = reporters[filed : filed + campaign_step]
        for number in open_numbers:
            for reporter in batch:
                report(reporter["token"], number, "scam")
        filed += len(batch)
        for number, verdict in _verdicts(stack, open_numbers).items():
            result.campaign_verdicts[number].append(verdict)
            if verdict == "block":
                result.reports_to_block[number] = filed
    conn.close()
    web.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=6)
    parser.add_argument("--attackers", type=int, default=100)
    parser.add_argument("--step", type=int, default=5)
    parser.add_argument("--campaign", type=int, default=8)
    parser.add_argument("--max-reporters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    print("starting private PostgreSQL, Redis and gunicorn...", flush=True)
    with Stack.start(web=False) as stack:
        result = simulate(
            stack,
            history=args.history,
            attackers=args.attackers,
            attack_step=args.step,
            campaign=args.campaign,
            max_reporters=args.max_reporters,
        )
    print(result.summary())
    if args.json:
        print(json.dumps(result.as_dict()))
    ok = not result.clean_blocked and result.campaign_blocked == result.campaign_numbers
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
