"""GET /api/v1/lookup/ and POST /api/v1/lookup/batch/."""

import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.lists.models import ListEntry
from apps.numbers.models import AreaCode
from apps.reputation.models import Reputation
from tests.conftest import make_device
from tests.reputation.factories import aggregate, votes

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/"
BATCH_URL = "/api/v1/lookup/batch/"
A, B = "+14152000001", "+14152000002"


def _reputation(number: str, verdict: str, **fields) -> Reputation:
    values = {
        "region": "US",
        "score": {"block": 80.0, "warn": 50.0}.get(verdict, 0.0),
        "label": {"block": "Scam likely", "warn": "Telemarketer"}.get(verdict, ""),
        "category": {"block": "scam", "warn": "telemarketing"}.get(verdict, ""),
        "reasons": ["crowd_reports"],
        "spam_count": 9,
        "not_spam_count": 1,
        "reporters": 10,
        "recent_count": 4,
        "last_reported_at": timezone.now(),
    }
    values.update(fields)
    return Reputation.objects.create(number=number, verdict=verdict, **values)


def _client(**device_fields) -> APIClient:
    _, secret = make_device(**device_fields)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _rule(client_device_token, pattern, action, *, prefix=False, label=""):
    return ListEntry.objects.create(
        device=client_device_token,
        pattern=pattern,
        is_prefix=prefix,
        action=action,
        label=label,
        created_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("raw", "number", "kind", "verdict", "reasons"),
    [
        ("", None, "withheld", "unknown", ["withheld"]),
        ("Anonymous", None, "withheld", "unknown", ["withheld"]),
        ("Payphone", None, "not_a_number", "unknown", ["not_a_number"]),
        ("911", "+1911", "invalid", "block", ["invalid_number", "n11"]),
        (
            "+1 202 555 0143",
            "+12025550143",
            "invalid",
            "block",
            ["invalid_number", "fictional"],
        ),
        (
            "+44 1632 960001",
            "+441632960001",
            "invalid",
            "warn",
            ["invalid_number", "invalid_for_region"],
        ),
        ("(415) 200-0001", A, "valid", "unknown", []),
    ],
)
def test_what_the_caller_id_itself_says(phone, raw, number, kind, verdict, reasons):
    response = phone.get(URL, {"number": raw})

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["kind"]) == (number, kind)
    assert (body["verdict"], body["reasons"]) == (verdict, reasons)


def test_an_area_code_nanpa_lists_as_unused_is_blocked(phone):
    AreaCode.objects.create(npa="415", in_service=False, updated_at=timezone.now())

    body = phone.get(URL, {"number": A}).json()

    assert body["verdict"] == "block"
    assert body["reasons"] == ["invalid_number", "area_code_not_in_service"]


def test_the_crowds_reputation_is_answered_in_full(phone):
    rep = _reputation(A, "block")

    body = phone.get(URL, {"number": A}).json()

    assert body == {
        "number": A,
        "kind": "valid",
        "line_type": "fixed_line_or_mobile",
        "verdict": "block",
        "score": 80.0,
        "label": "Scam likely",
        "category": "scam",
        "counts": {"spam": 9, "not_spam": 1, "reporters": 10, "recent": 4},
        "last_reported_at": rep.last_reported_at.isoformat(),
        "reasons": ["crowd_reports"],
    }


def test_the_devices_own_list_comes_before_the_crowd(device, phone):
    _reputation(A, "block")
    _reputation(B, "allow", reasons=[])
    _rule(device, A, "allow", label="My plumber")
    _rule(device, "+1415200", "block", prefix=True)

    allowed = phone.get(URL, {"number": A}).json()
    blocked = phone.get(URL, {"number": B}).json()

    assert (allowed["verdict"], allowed["label"]) == ("allow", "My plumber")
    assert allowed["reasons"] == ["personal_allow", "crowd_reports"]
    assert (blocked["verdict"], blocked["reasons"]) == ("block", ["personal_block"])


def test_an_allow_rule_beats_a_longer_block_rule(device, phone):
    _rule(device, "+1415", "allow", prefix=True)
    _rule(device, A, "block")

    body = phone.get(URL, {"number": A}).json()

    assert (body["verdict"], body["reasons"]) == ("allow", ["personal_allow"])


@pytest.mark.parametrize(
    ("reputation", "verdict", "reasons"),
    [
        (None, "warn", ["neighbour_spoof"]),
        ("warn", "warn", ["crowd_reports", "neighbour_spoof"]),
        ("block", "block", ["crowd_reports", "neighbour_spoof"]),
        ("allow", "allow", []),
    ],
)
def test_a_caller_with_the_phones_own_first_six_digits_is_suspect(
    reputation, verdict, reasons
):
    client = _client(phone_number="+14152009999")
    if reputation == "allow":
        _reputation(A, "allow", reasons=[])
    elif reputation:
        _reputation(A, reputation)

    body = client.get(URL, {"number": A}).json()

    assert (body["verdict"], body["reasons"]) == (verdict, reasons)


def test_a_neighbour_with_a_staff_override_is_not_suspect():
    client = _client(phone_number="+1415200")  # Only the leading digits.
    _reputation(A, "allow", label="City hall", reasons=["override", "identify"])

    body = client.get(URL, {"number": A}).json()

    assert (body["verdict"], body["label"]) == ("allow", "City hall")
    assert "neighbour_spoof" not in body["reasons"]


@pytest.mark.parametrize(
    ("reputation", "verdict"),
    [(None, "warn"), ("block", "block"), ("allow", "allow")],
)
def test_a_call_that_failed_verification_is_at_least_a_warning_when_unknown(
    phone, reputation, verdict
):
    if reputation:
        _reputation(A, reputation)

    body = phone.get(URL, {"number": A, "verification": "failed"}).json()

    assert body["verdict"] == verdict
    assert body["reasons"][-1] == "verification_failed"


def test_national_digits_are_read_in_the_region_asked_for(phone):
    gb = phone.get(URL, {"number": "020 7946 0018", "region": "GB"}).json()
    own = phone.get(URL, {"number": "(415) 200-0001"}).json()  # Device: US.

    assert (gb["number"], gb["kind"]) == ("+442079460018", "valid")
    assert own["number"] == A


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"number": A, "region": "XX"},
        {"number": A, "verification": "maybe"},
        {"number": "1" * 300},
    ],
)
def test_bad_queries_get_400(phone, query):
    response = phone.get(URL, query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_lookups_need_a_device_token(api):
    assert api.get(URL, {"number": A}).status_code == 401
    assert api.post(BATCH_URL, {"numbers": [A]}).status_code == 401


def test_a_batch_answers_each_number_in_order(phone):
    _reputation(A, "block")

    response = phone.post(BATCH_URL, {"numbers": [B, "", A, "Hello"]})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["number"] for r in results] == [B, None, A, None]
    assert [r["verdict"] for r in results] == ["unknown", "unknown", "block", "unknown"]


@pytest.mark.parametrize(
    "body",
    [
        {"numbers": []},
        {"numbers": [A] * 101},
        {"numbers": A},
        {"numbers": [4152000001]},
        {},
        {"numbers": [A], "region": "Narnia"},
    ],
)
def test_a_batch_of_0_or_over_100_or_malformed_numbers_is_refused(phone, body):
    response = phone.post(BATCH_URL, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_batch_of_100_is_fine(phone):
    numbers = [f"+1415200{i:04d}" for i in range(100)]

    response = phone.post(BATCH_URL, {"numbers": numbers})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_a_cached_lookup_makes_no_database_query(
    device, phone, django_assert_num_queries
):
    _reputation(A, "block")
    _rule(device, "+1800555", "block", prefix=True)
    phone.get(URL, {"number": A})  # Fills the device, list and reputation caches.
    phone.get(URL, {"number": B})  # A number without reputation: cached too.
    phone.post(BATCH_URL, {"numbers": ["+1 800 555 0000"]})

    with django_assert_num_queries(0):
        single = phone.get(URL, {"number": A})
        unknown = phone.get(URL, {"number": B})
        batch = phone.post(BATCH_URL, {"numbers": [A, B, "+1 800 555 0000"]})

    assert single.json()["verdict"] == "block"
    assert unknown.json()["verdict"] == "unknown"
    assert [r["verdict"] for r in batch.json()["results"]] == [
        "block",
        "unknown",
        "block",
    ]


def test_a_cache_miss_reads_the_database_once_and_fills_the_cache(
    phone, django_assert_max_num_queries
):
    phone.get(URL, {"number": B})  # Warms the device and its (empty) list.
    _reputation(A, "warn")

    with django_assert_max_num_queries(1):
        first = phone.get(URL, {"number": A})

    assert first.json()["verdict"] == "warn"


def test_without_the_cache_lookups_answer_from_the_database(phone, caplog):
    _reputation(A, "block")
    phone.get(URL, {"number": B})  # Device identity cached before the outage.
    broken = mock.Mock(
        get_many=mock.Mock(side_effect=ConnectionError("redis down")),
        set_many=mock.Mock(side_effect=ConnectionError("redis down")),
    )

    with (
        mock.patch("apps.reputation.cache.cache", broken),
        caplog.at_level(logging.WARNING, logger="apps.reputation.cache"),
    ):
        first = phone.get(URL, {"number": A})
        second = phone.get(URL, {"number": A})

    assert first.json()["verdict"] == second.json()["verdict"] == "block"
    warnings = [r for r in caplog.records if r.name == "apps.reputation.cache"]
    assert len(warnings) == 1
    assert A not in caplog.text


def test_without_cache_and_database_the_answer_is_503_with_retry_after(phone):
    phone.get(URL, {"number": B})
    broken = mock.Mock(get_many=mock.Mock(side_effect=ConnectionError("down")))

    with (
        mock.patch("apps.reputation.cache.cache", broken),
        mock.patch(
            "apps.reputation.cache.Reputation.objects.filter",
            side_effect=OperationalError("database down"),
        ),
    ):
        response = phone.get(URL, {"number": A})

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["error"]["code"] == "service_unavailable"


def test_a_lookup_sees_what_aggregation_just_published(
    phone, django_capture_on_commit_callbacks
):
    assert phone.get(URL, {"number": A}).json()["verdict"] == "unknown"  # Cached.
    votes(A, 12)

    with django_capture_on_commit_callbacks(execute=True):
        aggregate()

    body = phone.get(URL, {"number": A}).json()
    assert body["verdict"] == "block"
    assert body["counts"]["spam"] == 12


def test_a_device_asking_too_often_is_throttled_but_others_are_not(phone):
    limited = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "lookup": "3/min",
        },
    }
    other = _client()

    with override_settings(REST_FRAMEWORK=limited):
        answers = [phone.get(URL, {"number": A}).status_code for _ in range(4)]
        batch = phone.post(BATCH_URL, {"numbers": [A]})
        elsewhere = other.get(URL, {"number": A})

    assert answers == [200, 200, 200, 429]
    assert batch.status_code == 429
    assert batch.json()["error"]["code"] == "throttled"
    assert int(batch["Retry-After"]) >= 1
    assert elsewhere.status_code == 200
