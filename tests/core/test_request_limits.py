import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from apps.core.middleware import ServiceUnavailableMiddleware


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/nowhere/"])
def test_an_api_body_over_the_limit_is_refused_with_413(phone, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"number": "1" * 2000})

    response = phone.post(path, data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.django_db
def test_a_body_within_the_limit_reaches_the_view(phone, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = phone.post(
        "/api/v1/reports/",
        data=json.dumps({"number": ""}),
        content_type="application/json",
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection"),
        RedisConnectionError("Connection refused"),
        RedisTimeoutError("Timeout reading from socket"),
    ],
)
def test_an_unreachable_backing_service_answers_503_with_retry_after(error):
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/api/v1/lookup/")

    response = middleware.process_exception(request, error)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["error"]["code"] == "service_unavailable"


def test_other_errors_are_left_to_the_500_handler():
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/api/v1/lookup/")

    assert middleware.process_exception(request, ValueError("bug")) is None
