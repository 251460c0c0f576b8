import json

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from apps.core.errors import api_exception_handler, bad_request
from apps.core.serializers import ErrorSerializer

TOO_BIG = b'{"comment": "' + b"x" * (64 * 1024) + b'"}'
REPORTS = "/api/v1/reports/"
ME = "/api/v1/devices/me/"
JSON = "application/json"


def _free_rates_but(**scopes: str):
    free = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000/min")
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**free, **scopes}}
    return override_settings(REST_FRAMEWORK=rest)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "code"),
    [
        ("POST", REPORTS, b"{}", JSON, 400, "invalid"),
        ("POST", REPORTS, b"{", JSON, 400, "parse_error"),
        ("POST", REPORTS, b"{}", "text/plain", 415, "unsupported_media_type"),
        ("POST", REPORTS, TOO_BIG, JSON, 413, "request_too_large"),
        ("PATCH", ME, TOO_BIG, JSON, 413, "request_too_large"),
        ("GET", f"{REPORTS}123/", b"", JSON, 404, "not_found"),
        ("PUT", ME, b"{}", JSON, 405, "method_not_allowed"),
    ],
)
def test_errors_have_the_documented_shape(
    phone, method, path, body, content_type, status, code
):
    response = phone.generic(method, path, body, content_type=content_type)

    assert response.status_code == status
    serializer = ErrorSerializer(data=response.json())
    assert serializer.is_valid(), serializer.errors
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == code


@pytest.mark.django_db
def test_a_missing_token_has_the_documented_shape(api):
    response = api.get("/api/v1/devices/me/")

    assert response.status_code == 401
    assert ErrorSerializer(data=response.json()).is_valid()


@pytest.mark.django_db
def test_a_throttled_request_has_the_documented_shape(phone):
    with _free_rates_but(device="1/min"):
        phone.get("/api/v1/devices/me/")
        response = phone.get("/api/v1/devices/me/")

    assert response.status_code == 429
    assert ErrorSerializer(data=response.json()).is_valid()
    assert response.json()["error"]["code"] == "throttled"
    assert "Retry-After" in response


def test_a_body_too_large_in_an_api_view_answers_413():
    response = api_exception_handler(RequestDataTooBig("too big"), context={})

    assert response.status_code == 413
    assert response.data["error"]["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [
        (RequestDataTooBig("too big"), 413, "request_too_large"),
        (None, 400, "bad_request"),
        (ValueError("other"), 400, "bad_request"),
    ],
)
def test_the_django_level_bad_request_handler_tells_a_big_body_apart(
    exception, status, code
):
    request = APIRequestFactory().post("/somewhere")

    response = bad_request(request, exception)

    assert response.status_code == status
    assert json.loads(response.content)["error"]["code"] == code


@pytest.mark.django_db
def test_a_big_form_body_outside_the_api_answers_413_in_json(client):
    body = "a=" + "x" * (64 * 1024)

    response = client.post(
        "/admin/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
