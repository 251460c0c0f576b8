import pytest
from django.test import override_settings

from apps.disputes.models import Dispute
from tests.disputes.helpers import filing

URL = "/api/v1/disputes/"

pytestmark = pytest.mark.django_db


def _rates(**rates):
    from django.conf import settings

    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }
    )


def _post(api, body, ip: str):
    return api.post(URL, body, format="json", REMOTE_ADDR=ip)


def test_a_flood_from_one_address_is_throttled(api):
    numbers = ["+14155552671", "+12125551234", "+13105550888", "+16175551212"]
    with _rates(dispute_ip="3/hour", dispute_number="1000/day"):
        answers = [_post(api, filing(number=n), "203.0.113.7") for n in numbers]
        other_address = _post(api, filing(number=numbers[3]), "198.51.100.9")

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[3]
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert other_address.status_code == 201


def test_a_flood_about_one_number_from_many_addresses_is_throttled(api):
    spellings = ["(415) 555-2671", "+1 415 555 2671", "4155552671", "+14155552671"]
    with _rates(dispute_ip="1000/hour", dispute_number="3/day"):
        answers = [
            _post(api, filing(number=n), f"203.0.113.{i}")
            for i, n in enumerate(spellings)
        ]
        other_number = _post(api, filing(number="+12125551234"), "203.0.113.99")

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert 1 <= int(answers[3]["Retry-After"]) <= 86400
    assert other_number.status_code == 201
    assert Dispute.objects.get(number="+14155552671").contacts.count() == 3


def test_refused_input_still_counts_against_the_address(api):
    with _rates(dispute_ip="2/hour", dispute_number="1000/day"):
        bad = [_post(api, filing(number="Payphone"), "203.0.113.7") for _ in range(2)]
        good = _post(api, filing(), "203.0.113.7")

    assert [b.status_code for b in bad] == [400, 400]
    assert good.status_code == 429


def test_the_number_limit_keys_on_a_pseudonym_not_the_number(api, monkeypatch):
    from apps.core.throttling import FailOpenRateThrottle

    keys = []
    real_hit = FailOpenRateThrottle._hit

    def spying_hit(self, key):
        keys.append(key)
        return real_hit(self, key)

    monkeypatch.setattr(FailOpenRateThrottle, "_hit", spying_hit)
    with _rates(dispute_ip="1000/hour", dispute_number="3/day"):
        _post(api, filing(), "203.0.113.7")

    assert any(":dispute_number:" in key for key in keys)
    assert not any("4155552671" in key for key in keys)


def test_bad_filings_about_a_number_do_not_lock_its_owner_out(api):
    with _rates(dispute_ip="1000/hour", dispute_number="3/day"):
        bad = [
            _post(api, filing(number="(650) 555-7200", email="not-an-email"), ip)
            for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4")
        ]
        owner = _post(api, filing(number="+1 650 555 7200"), "198.51.100.9")

    assert [a.status_code for a in bad] == [400, 400, 400, 400]
    assert owner.status_code == 201
