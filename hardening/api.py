"""Small API helpers shared by the hardening scripts and tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hardening.stack import http_request

# Area codes in service in every NANPA list, spread over several states.
AREA_CODES = ("202", "212", "305", "312", "404", "415", "503", "617", "713", "972")


def register(base_url: str, **fields) -> str:
    """A device registered through the API; returns its secret token."""
    body = {"platform": "android", "region": "US", "app_version": "1.0.0", **fields}
    status, _, answer = http_request(base_url, "POST", "/api/v1/devices/", body=body)
    if status != 201:
        raise RuntimeError(f"registration answered {status}: {answer!r}")
    return answer["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def us_number(rng: random.Random) -> str:
    """A valid, dialable US number in E.164 (no N11 exchange, no 555)."""
    area = rng.choice(AREA_CODES)
    while True:
        exchange = rng.randint(200, 999)
        if exchange % 100 != 11 and exchange != 555:
            break
    return f"+1{area}{exchange}{rng.randint(0, 9999):04d}"


def numbers(count: int, seed: int) -> list[str]:
    """``count`` distinct valid numbers, the same ones for the same seed."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        found[us_number(rng)] = None
    return list(found)


def called_at(minutes_ago: float = 5) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def report_body(number: str, category: str = "scam", minutes_ago: float = 5) -> dict:
    return {"number": number, "category": category, "called_at": called_at(minutes_ago)}
