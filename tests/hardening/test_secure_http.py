"""Headers, cookies, body limits, admin and /metrics on the production server."""

import http.client
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from hardening.api import auth, register, report_body
from hardening.stack import PROXY_HEADERS, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _raw(web, method, path, *, body=b"", headers=None, secure=True):
    """One request that follows no redirect: (status, headers, body)."""
    parts = urlsplit(web.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    sent = {**(PROXY_HEADERS if secure else {}), **(headers or {})}
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    answer = (response.status, response.getheaders(), response.read())
    conn.close()
    return answer


def _header(headers, name):
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def _cookies(headers) -> SimpleCookie:
    jar = SimpleCookie()
    for key, value in headers:
        if key.lower() == "set-cookie":
            jar.load(value)
    return jar


@pytest.fixture
def staff(healthy):
    password = secrets.token_urlsafe(16)
    name = f"ops-{secrets.token_hex(4)}"
    healthy.django(
        "make-user", {"username": name, "password": password, "is_staff": True}
    )
    return name, password


def _admin_login(web, username, password):
    status, headers, _ = _raw(web, "GET", "/admin/login/")
    assert status == 200
    csrf = _cookies(headers)["csrftoken"]
    form = urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf.value,
            "next": "/admin/",
        }
    )
    return _raw(
        web,
        "POST",
        "/admin/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.value}",
            "Referer": f"https://{urlsplit(web.base_url).netloc}/admin/login/",
        },
    ), csrf


def test_api_answers_carry_the_security_headers(healthy):
    token = register(healthy.base_url)

    status, headers, _ = _raw(
        healthy.web, "GET", "/api/v1/devices/me/", headers=auth(token)
    )

    assert status == 200
    hsts = _header(headers, "Strict-Transport-Security")
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert _header(headers, "X-Content-Type-Options") == "nosniff"
    assert _header(headers, "X-Frame-Options") == "DENY"
    assert _header(headers, "Referrer-Policy") == "same-origin"


def test_plain_http_is_redirected_to_https_except_the_probes(healthy):
    api_status, api_headers, _ = _raw(
        healthy.web, "GET", "/api/v1/devices/me/", secure=False
    )
    probe_status, _, _ = _raw(healthy.web, "GET", "/healthz", secure=False)

    assert api_status == 301
    assert _header(api_headers, "Location").startswith("https://")
    assert probe_status == 200


def test_session_and_csrf_cookies_are_secure(healthy, staff):
    (status, headers, _), csrf = _admin_login(healthy.web, *staff)

    session = _cookies(headers)["sessionid"]
    assert status == 302
    assert session["secure"] and session["httponly"]
    assert csrf["secure"]
    assert csrf["samesite"].lower() in {"lax", "strict"}


def test_the_admin_is_only_for_staff(healthy):
    password = secrets.token_urlsafe(16)
    name = f"member-{secrets.token_hex(4)}"
    healthy.django("make-user", {"username": name, "password": password})
    token = register(healthy.base_url)

    (status, headers, _), _ = _admin_login(healthy.web, name, password)
    as_device, device_headers, _ = _raw(
        healthy.web, "GET", "/admin/", headers=auth(token)
    )

    assert status == 200  # the login form again, with an error
    assert "sessionid" not in _cookies(headers)
    assert as_device == 302
    assert "/admin/login/" in _header(device_headers, "Location")


def test_an_oversized_body_is_refused_before_it_is_parsed(healthy):
    token = register(healthy.base_url)
    body = b'{"number": "' + b"1" * 200_000 + b'"}'

    status, _, answer = _raw(
        healthy.web,
        "POST",
        "/api/v1/reports/",
        body=body,
        headers={**auth(token), "Content-Type": "application/json"},
    )

    assert status == 413
    assert b'"request_too_large"' in answer


def _scrape(web, token) -> str:
    status, _, page = _raw(
        web, "GET", "/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    return page.decode()


def _total(page: str, name: str) -> float:
    pattern = rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$"
    return sum(float(v) for v in re.findall(pattern, page, re.MULTILINE))


def test_metrics_need_the_scraper_token_or_a_staff_session(healthy, staff):
    anonymous, _, _ = _raw(healthy.web, "GET", "/metrics")
    wrong, _, _ = _raw(
        healthy.web, "GET", "/metrics", headers={"Authorization": "Bearer nope"}
    )
    (_, login_headers, _), _ = _admin_login(healthy.web, *staff)
    session = _cookies(login_headers)["sessionid"].value
    as_staff, _, _ = _raw(
        healthy.web, "GET", "/metrics", headers={"Cookie": f"sessionid={session}"}
    )

    assert (anonymous, wrong, as_staff) == (404, 404, 200)
    assert "callguard_aggregation_pending_changes" in _scrape(
        healthy.web, healthy.config.metrics_token
    )


def test_metrics_count_lookups_reports_and_aggregation_across_processes(healthy):
    token = healthy.config.metrics_token
    before = _scrape(healthy.web, token)
    phone = register(healthy.base_url)
    number = "+13128470001"

    healthy.request(
        "POST", "/api/v1/reports/", body=report_body(number), headers=auth(phone)
    )
    for _ in range(4):
        healthy.request(
            "GET", f"/api/v1/lookup/?number=%2B{number[1:]}", headers=auth(phone)
        )
    wait_until(
        lambda: (
            _total(_scrape(healthy.web, token), "callguard_aggregation_seconds_count")
            > _total(before, "callguard_aggregation_seconds_count")
        ),
        timeout=30,
        what="an aggregation run on the metrics page",
    )
    after = _scrape(healthy.web, token)

    for name, grew_by in [
        ("callguard_lookup_verdicts_total", 4),
        ("callguard_lookup_seconds_count", 4),
        ("callguard_reports_total", 1),
    ]:
        assert _total(after, name) - _total(before, name) >= grew_by, name
    assert _total(after, "callguard_aggregation_numbers_total") > 0
