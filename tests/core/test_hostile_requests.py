"""Requests built to crash a server get a 4xx in the common error shape."""

import base64
import logging

import pytest

from apps.core.logging import KeyValueFormatter

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "path", ["/api/v1/devices/", "/api/v1/disputes/", "/api/v1/reports/"]
)
def test_deeply_nested_json_is_a_parse_error(phone, path):
    response = phone.post(path, DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/lists/"])
@pytest.mark.parametrize(
    "position", ["p=abc", "p=2026-12-04T17:22:38+00:00", "p=9" * 40]
)
def test_a_crafted_cursor_is_a_404_not_a_crash(phone, path, position):
    cursor = base64.b64encode(position.encode()).decode()

    response = phone.get(path, {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_post_without_the_trailing_slash_is_a_json_404_not_a_redirect(phone):
    response = phone.post("/api/v1/reports", {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_errors_stay_json_when_debug_pages_are_on(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_the_request_logger_never_writes_the_query_string(phone, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    phone.get("/api/v1/lookup/", {"number": "+16505557123", "region": "ZZ"})

    lines = [KeyValueFormatter("%(message)s").format(r) for r in caplog.records]
    assert lines, "django.request logs a 4xx"
    assert not any("6505557123" in line for line in lines)
