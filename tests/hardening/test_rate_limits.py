"""Rate limits on the production server, and X-Forwarded-For.

A client-written X-Forwarded-For changes nothing unless TRUSTED_PROXY_COUNT
says a proxy in front appends it; then the limit follows the address that
proxy saw, and whatever a client put in front of it is ignored.
"""

import time

import pytest

from hardening.api import report_body
from hardening.load import Connection

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

REGISTER_RATE = 3
REPORT_RATE = 5


def _start_of_a_window(seconds: int = 60, margin: float = 8.0) -> int:
    """Wait, if needed, so a burst fits inside one fixed window; its index."""
    into = time.time() % seconds
    if into > seconds - margin:
        time.sleep(seconds - into + 0.2)
    return int(time.time() // seconds)


def _registrations(web, forwarded_for: list[str]) -> list[int]:
    conn = Connection(web.base_url)
    body = {"platform": "ios", "region": "US", "app_version": "1.0"}
    statuses = [
        conn.request(
            "POST", "/api/v1/devices/", body=body, headers={"X-Forwarded-For": xff}
        )[0]
        for xff in forwarded_for
    ]
    conn.close()
    return statuses


@pytest.fixture
def limited_web(healthy):
    """A server of its own (and a Redis database of its own for the counters)
    with low limits and no trusted proxy, as deployed by default."""
    web = healthy.another_web(
        {
            "THROTTLE_REGISTER": f"{REGISTER_RATE}/min",
            "THROTTLE_REPORT": f"{REPORT_RATE}/min",
            "TRUSTED_PROXY_COUNT": "0",
            "REDIS_URL": healthy.redis.url(5),
        }
    )
    yield web
    web.stop()


@pytest.fixture
def proxied_web(healthy):
    web = healthy.another_web(
        {
            "THROTTLE_REGISTER": f"{REGISTER_RATE}/min",
            "TRUSTED_PROXY_COUNT": "1",
            "REDIS_URL": healthy.redis.url(6),
        }
    )
    yield web
    web.stop()


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(limited_web):
    window = _start_of_a_window()

    statuses = _registrations(limited_web, [f"203.0.113.{i}" for i in range(8)])

    assert int(time.time() // 60) == window
    assert statuses == [201] * REGISTER_RATE + [429] * (8 - REGISTER_RATE)


def test_behind_a_trusted_proxy_the_limit_follows_the_forwarded_address(proxied_web):
    window = _start_of_a_window()

    distinct = _registrations(proxied_web, [f"198.51.100.{i}" for i in range(6)])
    # A client prepends its own entries; the proxy's (last) one still counts.
    forged = _registrations(
        proxied_web, [f"10.9.9.{i}, 192.0.2.77" for i in range(REGISTER_RATE + 3)]
    )

    assert int(time.time() // 60) == window
    assert distinct == [201] * 6
    assert forged == [201] * REGISTER_RATE + [429] * 3


def test_one_device_hammering_reports_gets_429_at_its_rate(healthy, limited_web):
    # Made directly: this address used up its registrations above.
    [device] = healthy.django("make-devices", {"count": 1})
    token = device["token"]
    conn = Connection(limited_web.base_url)
    window = _start_of_a_window()

    answers = [
        conn.request(
            "POST",
            "/api/v1/reports/",
            body=report_body(f"+1312847{2200 + i:04d}"),
            headers={"Authorization": f"Token {token}"},
        )
        for i in range(REPORT_RATE + 4)
    ]

    assert int(time.time() // 60) == window
    assert [status for status, _, _ in answers] == [201] * REPORT_RATE + [429] * 4
    for _, body, headers in answers[REPORT_RATE:]:
        assert body["error"]["code"] == "throttled"
        assert 1 <= int(headers["Retry-After"]) <= 60
