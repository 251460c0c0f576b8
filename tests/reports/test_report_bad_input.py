"""Every malformed report gets a 4xx in the common shape and stores nothing."""

import json

import pytest
from django.conf import settings

from apps.devices.models import Device
from apps.reports.models import Report, ReportChange
from tests.reports.bodies import URL, report_body


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


@pytest.fixture
def nothing_stored(db):
    devices = Device.objects.count()
    yield
    assert not Report.objects.exists()
    assert not ReportChange.objects.exists()
    assert Device.objects.count() == devices


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", 4155552671),
        ("number", None),
        ("number", ["4155552671"]),
        ("number", {"e164": "+14155552671"}),
        ("number", True),
        ("number", "4155\x002671"),
        ("category", "spam"),
        ("category", ""),
        ("category", None),
        ("category", 1),
        ("category", ["scam"]),
        ("category", "SCAM"),
        ("called_at", "yesterday"),
        ("called_at", "2025-03-10T10:30:00"),  # no offset
        ("called_at", "2025-03-10"),
        ("called_at", 1741600000),
        ("called_at", None),
        ("called_at", ""),
        ("called_at", "2025-02-30T10:00:00Z"),
        ("called_at", "0001-01-01T00:00:00+01:00"),
        ("called_at", "9999-12-31T23:59:59-01:00"),
        ("called_at", "2025-03-10T10:30:00+25:00"),
        ("verification", "maybe"),
        ("verification", True),
        ("verification", 0),
        ("answered", "yes"),
        ("answered", "true"),
        ("answered", 1),
        ("answered", 0),
        ("answered", []),
        ("comment", 42),
        ("comment", ["a"]),
        ("comment", {"text": "a"}),
        ("comment", "x" * 501),
    ],
)
def test_each_bad_field_is_refused(phone, nothing_stored, field, value):
    response = phone.post(URL, report_body(**{field: value}), format="json")

    error = _assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("missing", ["number", "category", "called_at"])
def test_each_required_field_is_required(phone, nothing_stored, missing):
    body = {k: v for k, v in report_body().items() if k != missing}

    response = phone.post(URL, body, format="json")

    error = _assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [missing]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[]", "invalid"),
        (b'[{"number": "4155552671"}]', "invalid"),
        (b'"just a string"', "invalid"),
        (b"42", "invalid"),
        (b"null", "invalid"),
        (b"{", "parse_error"),
        (b"{'number': '4155552671'}", "parse_error"),
        (b'{"number": NaN}', "parse_error"),
        (b"\xff\xfe{}", "parse_error"),
        (b'{"comment": "\xe9t\xe9"}', "parse_error"),  # latin-1, not UTF-8
        (b'{"number": "\\ud800"}', "invalid"),  # lone surrogate
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(phone, nothing_stored, body, code):
    response = phone.generic("POST", URL, body, content_type="application/json")

    _assert_error(response, 400, code)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
    ],
)
def test_a_body_that_is_not_json_is_refused_as_unsupported(
    phone, nothing_stored, content_type
):
    body = json.dumps(report_body()).encode()

    response = phone.generic("POST", URL, body, content_type=content_type)

    _assert_error(response, 415, "unsupported_media_type")


def test_a_body_over_the_size_limit_is_refused_with_413(phone, nothing_stored):
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps(report_body(comment=padding)).encode()

    response = phone.generic("POST", URL, body, content_type="application/json")

    _assert_error(response, 413, "request_too_large")


def test_a_body_over_the_size_limit_is_refused_at_registration(api, nothing_stored):
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"platform": "ios", "region": "US", "app_version": padding})

    response = api.generic(
        "POST", "/api/v1/devices/", body.encode(), content_type="application/json"
    )

    _assert_error(response, 413, "request_too_large")


def test_a_body_just_under_the_size_limit_is_read(phone, nothing_stored):
    body = json.dumps(report_body(comment="")).encode()
    body = body[:-1] + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(body)) + b"}"
    body = body.replace(b'"category": "scam"', b'"category": "bad"')

    response = phone.generic("POST", URL, body, content_type="application/json")

    _assert_error(response, 400, "invalid")


def test_an_empty_body_lists_every_required_field(phone, nothing_stored):
    response = phone.generic("POST", URL, b"", content_type="application/json")

    error = _assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"number", "category", "called_at"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/devices/", b"[1, 2]"),
        ("/api/v1/devices/", b"\xc3\x28"),
        ("/api/v1/devices/", b'"android"'),
    ],
)
def test_registration_refuses_bodies_that_are_not_objects(
    api, nothing_stored, path, body
):
    response = api.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "parse_error"}


@pytest.mark.parametrize(
    "body", [b"[]", b"\xff", b"{", b'{"region": 5}', b'"US"', b'{"push_token": []}']
)
def test_patching_the_device_with_bad_bodies_changes_nothing(
    phone, device, nothing_stored, body
):
    before = Device.objects.values().get(pk=device.pk)

    response = phone.generic(
        "PATCH", "/api/v1/devices/me/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert Device.objects.values().get(pk=device.pk) == before
