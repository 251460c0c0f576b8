"""No secret and no phone number in clear: not in the logs, not in the database.

A phone registers (with its own number and a push token), reports a caller,
looks numbers up and changes its settings against the production server with
every logger at DEBUG; then the server's and the worker's whole output is
searched for the token, the push token and the numbers in any usual spelling.
"""

import subprocess
from hashlib import sha256

import pytest

from hardening.api import auth, report_body
from hardening.load import Connection
from hardening.stack import PG_BIN

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

OWN_NUMBER = "+13128472291"
CALLER = "+14158672310"
PUSH_TOKEN = "fcm-" + "Zq8" * 40


def _spellings(e164: str) -> list[str]:
    national = e164[2:]
    return [
        national,
        f"{national[:3]}-{national[3:6]}-{national[6:]}",
        f"({national[:3]}) {national[3:6]}-{national[6:]}",
        f"{national[:3]} {national[3:6]} {national[6:]}",
    ]


@pytest.fixture
def chatty_web(healthy):
    web = healthy.another_web({"LOG_LEVEL": "DEBUG"})
    yield web
    web.stop()


def _session(web) -> str:
    conn = Connection(web.base_url)
    status, body, _ = conn.request(
        "POST",
        "/api/v1/devices/",
        body={
            "platform": "android",
            "region": "US",
            "app_version": "3.1.0",
            "phone_number": "(312) 847-2291",
            "push_token": PUSH_TOKEN,
        },
    )
    assert status == 201, body
    token = body["token"]
    calls = [
        ("PATCH", "/api/v1/devices/me/", {"push_token": PUSH_TOKEN + "x"}),
        (
            "POST",
            "/api/v1/reports/",
            {
                **report_body("415-867-2310"),
                "comment": "Said to call back on 312 847 2291",
            },
        ),
        ("GET", "/api/v1/lookup/?number=%2B14158672310", None),
        ("POST", "/api/v1/lookup/batch/", {"numbers": ["(415) 867-2310", "911"]}),
        ("GET", "/api/v1/reports/", None),
        ("POST", "/api/v1/reports/", {**report_body("not a number")}),
    ]
    for method, path, body in calls:
        status, answer, _ = conn.request(method, path, body=body, headers=auth(token))
        assert status < 500, (method, path, status, answer)
    conn.close()
    return token


def test_no_token_or_number_reaches_the_logs(healthy, chatty_web):
    offset_web = len(chatty_web.log_text())
    offset_worker = len(healthy.worker.log_text())

    token = _session(chatty_web)
    healthy.django("aggregate")
    logs = (
        chatty_web.log_text()[offset_web:] + healthy.worker.log_text()[offset_worker:]
    )

    assert "device registered" in logs  # the log was captured at all
    leaks = [
        secret
        for secret in [token, PUSH_TOKEN, *_spellings(OWN_NUMBER), *_spellings(CALLER)]
        if secret in logs
    ]
    assert leaks == [], [
        line for line in logs.splitlines() if any(s in line for s in leaks)
    ][:5]


def test_the_database_holds_the_token_hash_never_the_token(healthy):
    conn = Connection(healthy.base_url)
    _, body, _ = conn.request(
        "POST",
        "/api/v1/devices/",
        body={"platform": "ios", "region": "US", "app_version": "1.0"},
    )
    token = body["token"]

    dump = subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(healthy.postgres.port),
            "-U",
            "postgres",
            "--data-only",
            healthy.database,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert sha256(token.encode()).hexdigest() in dump
    assert token not in dump
