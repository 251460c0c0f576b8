import logging
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from rest_framework.test import APIClient, APIRequestFactory

from apps.core.throttling import FailOpenRateThrottle, IPRateThrottle
from apps.reports.models import Report
from tests.conftest import make_device
from tests.reports.bodies import URL as REPORTS
from tests.reports.bodies import client_for, report_body

REGISTER = "/api/v1/devices/"
DEVICE = {"platform": "ios", "region": "US", "app_version": "1.0"}
# Nothing listens here (the top of this suite's port range): a dead Redis.
DEAD_REDIS = "redis://127.0.0.1:8119/0"


def rates(**scopes: str):
    """``override_settings`` with the given rates and every other scope free."""
    free = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000/min")
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**free, **scopes},
    }
    return override_settings(REST_FRAMEWORK=rest)


def proxies(count: int, **scopes: str):
    free = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000/min")
    rest = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": count,
        "DEFAULT_THROTTLE_RATES": {**free, **scopes},
    }
    return override_settings(REST_FRAMEWORK=rest)


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
@time_machine.travel(datetime(2025, 3, 10, 15, 0, 10, tzinfo=UTC), tick=False)
def test_the_third_report_in_an_hour_is_refused_with_retry_after(phone):
    with rates(report="2/hour"):
        for minutes in (50, 40):
            body = report_body(number=f"41555526{minutes}")
            assert phone.post(REPORTS, body, format="json").status_code == 201

        response = phone.post(REPORTS, report_body(), format="json")

    _assert_throttled(response)
    assert response["Retry-After"] == str(3600 - 10)
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_the_report_limit_leaves_reading_alone(phone):
    with rates(report="1/hour"):
        assert phone.post(REPORTS, report_body(), format="json").status_code == 201

        responses = [phone.get(REPORTS) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]


@pytest.mark.django_db
def test_the_report_limit_counts_each_device_on_its_own(phone):
    other = client_for(make_device()[1])
    with rates(report="1/hour"):
        phone.post(REPORTS, report_body(), format="json")

        mine = phone.post(REPORTS, report_body(number="2125550199"), format="json")
        theirs = other.post(REPORTS, report_body(), format="json")

    _assert_throttled(mine)
    assert theirs.status_code == 201


@pytest.mark.django_db
def test_every_request_of_a_device_counts_toward_the_device_limit(phone):
    with rates(device="3/min"):
        statuses = [phone.get("/api/v1/devices/me/").status_code for _ in range(3)]
        response = phone.get(REPORTS)

    assert statuses == [200, 200, 200]
    _assert_throttled(response)


@pytest.mark.django_db
def test_registrations_are_limited_per_client_address(api):
    with rates(register="2/hour"):
        statuses = [
            api.post(REGISTER, DEVICE, format="json", REMOTE_ADDR="203.0.113.5")
            for _ in range(3)
        ]
        elsewhere = api.post(REGISTER, DEVICE, format="json", REMOTE_ADDR="203.0.113.6")

    assert [r.status_code for r in statuses[:2]] == [201, 201]
    _assert_throttled(statuses[2])
    assert elsewhere.status_code == 201


@pytest.mark.django_db
def test_without_trusted_proxies_a_forwarded_for_header_changes_nothing(api):
    with proxies(0, register="2/hour"):
        responses = [
            api.post(
                REGISTER,
                DEVICE,
                format="json",
                REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )
            for n in range(3)
        ]

    assert [r.status_code for r in responses[:2]] == [201, 201]
    _assert_throttled(responses[2])


@pytest.mark.django_db
def test_behind_one_trusted_proxy_the_last_forwarded_hop_is_the_client(api):
    def register(forwarded_for: str):
        return api.post(
            REGISTER,
            DEVICE,
            format="json",
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    with proxies(1, register="1/hour"):
        first = register("198.51.100.1")
        spoofed = register("1.2.3.4, 198.51.100.1")  # client-written first hop
        other_client = register("198.51.100.2")

    assert first.status_code == 201
    _assert_throttled(spoofed)
    assert other_client.status_code == 201


@pytest.mark.django_db
def test_the_ip_limit_applies_to_authenticated_requests_too(phone):
    with rates(ip="2/min"):
        responses = [phone.get(REPORTS, REMOTE_ADDR="203.0.113.9") for _ in range(3)]

    assert [r.status_code for r in responses[:2]] == [200, 200]
    _assert_throttled(responses[2])


@pytest.mark.django_db
def test_a_new_window_allows_again(phone):
    start = datetime(2025, 3, 10, 15, 0, 30, tzinfo=UTC)
    with rates(device="1/min"), time_machine.travel(start, tick=False) as clock:
        assert phone.get(REPORTS).status_code == 200
        _assert_throttled(phone.get(REPORTS))

        clock.move_to(datetime(2025, 3, 10, 15, 1, 0, tzinfo=UTC))
        assert phone.get(REPORTS).status_code == 200


def test_rate_limit_keys_hold_no_address_in_clear():
    request = APIRequestFactory().get("/", REMOTE_ADDR="203.0.113.77")
    throttle = IPRateThrottle()

    key = throttle.get_cache_key(request, view=None)

    assert key.startswith("throttle:ip:")
    assert "203.0.113.77" not in key


def test_a_failing_cache_lets_the_request_through_with_a_warning(caplog):
    request = APIRequestFactory().get("/", REMOTE_ADDR="203.0.113.8")
    throttle = IPRateThrottle()
    throttle.rate, throttle.num_requests, throttle.duration = "1/min", 1, 60

    with (
        mock.patch.object(
            FailOpenRateThrottle, "cache", mock.Mock(add=mock.Mock(side_effect=OSError))
        ),
        caplog.at_level(logging.WARNING, logger="apps.core.throttling"),
    ):
        allowed = [throttle.allow_request(request, view=None) for _ in range(3)]

    assert allowed == [True, True, True]
    assert "rate-limit cache unavailable" in caplog.text


def test_a_dead_redis_lets_the_request_through():
    request = APIRequestFactory().get("/", REMOTE_ADDR="203.0.113.8")
    throttle = IPRateThrottle()
    throttle.rate, throttle.num_requests, throttle.duration = "1/min", 1, 60
    dead = RedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.2}})

    with mock.patch.object(FailOpenRateThrottle, "cache", dead):
        allowed = [throttle.allow_request(request, view=None) for _ in range(2)]

    assert allowed == [True, True]


@pytest.mark.django_db
def test_reports_are_accepted_while_redis_is_down():
    _, secret = make_device()
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    with override_settings(CACHES=dead), rates(report="1/hour", device="1/hour"):
        responses = [
            client_for(secret).post(REPORTS, report_body(number=number), format="json")
            for number in ("4155552671", "2125550199")
        ]
        registered = APIClient().post(REGISTER, DEVICE, format="json")

    assert [r.status_code for r in responses] == [201, 201]
    assert registered.status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.redis
@pytest.mark.django_db
def test_the_counter_lives_in_redis_with_an_expiry(phone, device):
    from django.core.cache import cache

    with rates(device="5/min"):
        phone.get(REPORTS)

    client = cache._cache.get_client(write=False)
    keys = [k.decode() for k in client.keys("*throttle:device:*")]
    assert len(keys) == 1
    assert str(device.id) not in keys[0]
    assert 0 < client.ttl(keys[0]) <= 61
