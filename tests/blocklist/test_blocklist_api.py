"""GET /api/v1/blocklist/: full lists, deltas, ETags, gzip and bad input."""

import gzip
import json
from datetime import timedelta

import pytest

from tests.blocklist.helpers import (
    NOW,
    apply_delta,
    as_map,
    publish,
    reputation_set,
)
from tests.conftest import make_device

URL = "/api/v1/blocklist/"


def _json(response) -> dict:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


@pytest.fixture
def listed(db, tiers):
    """Three US numbers on the list, at version 1."""
    reputation_set("+14155550003", verdict="block", label="Scam", activity=3.0)
    reputation_set("+14155550001", verdict="warn", label="Pharmacy", activity=2.0)
    reputation_set("+12125550002", verdict="block", activity=1.0)
    publish("+14155550003", "+14155550001", "+12125550002")


def test_a_phone_without_since_gets_the_whole_list_sorted_by_number(phone, listed):
    response = phone.get(URL, {"region": "US"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert _json(response) == {
        "region": "US",
        "version": 1,
        "limit": 6,
        "full": True,
        "entries": [
            {"number": 12125550002, "action": "block", "label": ""},
            {"number": 14155550001, "action": "identify", "label": "Pharmacy"},
            {"number": 14155550003, "action": "block", "label": "Scam"},
        ],
    }


def test_a_phone_sending_its_version_gets_only_what_changed(phone, listed):
    held = as_map(_json(phone.get(URL, {"region": "US"}))["entries"])
    reputation_set("+14155550003", verdict="unknown")
    reputation_set("+14155550001", verdict="block", label="Pharmacy scam", activity=2.0)
    reputation_set("+13125550009", verdict="block", label="Robocall", activity=9.0)
    publish("+14155550003", "+14155550001", "+13125550009")

    response = phone.get(URL, {"region": "US", "since": 1})

    delta = _json(response)
    assert delta == {
        "region": "US",
        "version": 2,
        "limit": 6,
        "since": 1,
        "full": False,
        "added": [
            {"number": 13125550009, "action": "block", "label": "Robocall"},
            {"number": 14155550001, "action": "block", "label": "Pharmacy scam"},
        ],
        "removed": [14155550003],
    }
    full = _json(phone.get(URL, {"region": "US"}))
    assert apply_delta(held, delta) == as_map(full["entries"])


@pytest.mark.parametrize(
    ("since", "why"),
    [
        (0, "a phone with nothing"),
        (7, "a version in the future"),
        (10**30, "a number no database holds"),
    ],
)
def test_a_since_that_cannot_be_served_as_a_delta_gets_the_whole_list(
    phone, listed, since, why
):
    response = phone.get(URL, {"region": "US", "since": since})

    assert response.status_code == 200, why
    body = _json(response)
    assert body["full"] is True, why
    assert len(body["entries"]) == 3


def test_a_since_older_than_the_deltas_kept_gets_the_whole_list(
    phone, listed, settings
):
    settings.BLOCKLIST_DELTA_RETENTION = 1
    settings.BLOCKLIST_DELTA_RETENTION_DAYS = 0
    for version, activity in enumerate((5.0, 6.0), start=2):
        reputation_set(
            "+15105550000", verdict="block", activity=activity, label=str(version)
        )
        publish("+15105550000", now=NOW + timedelta(days=version))

    old = _json(phone.get(URL, {"region": "US", "since": 1}))
    recent = _json(phone.get(URL, {"region": "US", "since": 2}))

    assert old["full"] is True
    assert old["version"] == 3
    assert recent["full"] is False
    assert recent["added"] == [{"number": 15105550000, "action": "block", "label": "3"}]


def test_a_phone_at_the_latest_version_gets_an_empty_delta(phone, listed):
    body = _json(phone.get(URL, {"region": "US", "since": 1}))

    assert body == {
        "region": "US",
        "version": 1,
        "limit": 6,
        "since": 1,
        "full": False,
        "added": [],
        "removed": [],
    }


def test_the_etag_answers_304_until_the_list_changes(phone, listed):
    first = phone.get(URL, {"region": "US", "since": 1})
    etag = first["ETag"]

    again = phone.get(URL, {"region": "US", "since": 1}, HTTP_IF_NONE_MATCH=etag)
    reputation_set("+16175550000", verdict="block", activity=4.0)
    publish("+16175550000")
    changed = phone.get(URL, {"region": "US", "since": 1}, HTTP_IF_NONE_MATCH=etag)

    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_etag_names_the_list_the_answer_leads_to(phone, listed):
    full = phone.get(URL, {"region": "US"})["ETag"]
    delta = phone.get(URL, {"region": "US", "since": 1})["ETag"]
    top = phone.get(URL, {"region": "US", "limit": 2})["ETag"]
    reputation_set("+16175550000", verdict="block", activity=4.0)
    publish("+16175550000")
    newer = phone.get(URL, {"region": "US"})["ETag"]

    assert full == delta
    assert len({full, top, newer}) == 3


def test_a_phone_holding_the_latest_version_gets_304_at_its_next_sync(phone, listed):
    etag = phone.get(URL, {"region": "US"})["ETag"]

    response = phone.get(URL, {"region": "US", "since": 1}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_the_answer_is_gzipped_for_a_phone_that_accepts_gzip(phone, listed):
    zipped = phone.get(URL, {"region": "US"}, HTTP_ACCEPT_ENCODING="gzip, deflate")
    plain = phone.get(URL, {"region": "US"})
    refused = phone.get(URL, {"region": "US"}, HTTP_ACCEPT_ENCODING="gzip;q=0, br")

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert json.loads(gzip.decompress(zipped.content)) == json.loads(plain.content)
    assert not plain.has_header("Content-Encoding")
    assert not refused.has_header("Content-Encoding")


def test_a_limit_gets_the_top_of_the_largest_tier_not_above_it(phone, listed):
    body = _json(phone.get(URL, {"region": "US", "limit": 3}))

    assert body["limit"] == 2
    assert [e["number"] for e in body["entries"]] == [14155550001, 14155550003]


def test_a_canadian_phone_reads_the_list_of_every_plus_one_number(db, tiers, api):
    _, secret = make_device(region="CA")
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    reputation_set("+16045550000", verdict="block", label="Canada", activity=1.0)
    reputation_set("+12125550000", verdict="block", label="New York", activity=1.0)
    publish("+16045550000", "+12125550000")

    body = _json(api.get(URL))

    assert body["region"] == "US"
    assert [e["number"] for e in body["entries"]] == [12125550000, 16045550000]


def test_a_region_with_no_list_yet_answers_an_empty_list(phone, db):
    body = _json(phone.get(URL, {"region": "DE"}))

    assert body["region"] == "DE"
    assert body["version"] == 0
    assert body["entries"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"region": "XX"}, "region"),
        ({"region": "USA"}, "region"),
        ({"since": "-1"}, "since"),
        ({"since": "one"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "1"}, "limit"),  # below the smallest tier
    ],
)
def test_bad_parameters_answer_400_in_the_common_error_shape(
    phone, listed, query, field
):
    response = phone.get(URL, query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_without_a_device_token_the_list_is_refused(api, listed):
    response = api.get(URL, {"region": "US"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_documents_the_endpoint_and_its_answers(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/blocklist/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "region",
        "since",
        "limit",
        "If-None-Match",
    }
    assert {"200", "304", "400", "401"} <= set(operation["responses"])
    assert "BlocklistAnswer" in schema["components"]["schemas"]
