"""GET/POST /api/v1/lists/ and DELETE /api/v1/lists/{id}/."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.lists.models import ListEntry
from tests.conftest import make_device

pytestmark = pytest.mark.django_db

URL = "/api/v1/lists/"


def _add(client, number, action="block", **extra):
    return client.post(URL, {"number": number, "action": action, **extra})


@pytest.mark.parametrize(
    ("typed", "number", "pattern", "is_prefix"),
    [
        ("(415) 200-0001", "+14152000001", "+14152000001", False),
        ("+1 415 200 0001", "+14152000001", "+14152000001", False),
        ("+1 800 555*", "+1800555*", "+1800555", True),
        ("+1-800-555-*", "+1800555*", "+1800555", True),
        ("800 555*", "+1800555*", "+1800555", True),  # National digits, US.
        ("1 (800) 555*", "+1800555*", "+1800555", True),  # With trunk prefix.
        ("+44 20 7946*", "+44207946*", "+44207946", True),
    ],
)
def test_a_number_or_a_range_is_stored_in_e164_form(
    phone, typed, number, pattern, is_prefix
):
    response = _add(phone, typed, label="Work")

    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["pattern"], body["is_prefix"]) == (
        number,
        pattern,
        is_prefix,
    )
    assert (body["action"], body["label"]) == ("block", "Work")
    assert ListEntry.objects.get(pk=body["id"]).pattern == pattern


def test_national_digits_are_read_in_the_devices_region():
    _, secret = make_device(region="GB")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    exact = _add(client, "020 7946 0018").json()
    prefix = _add(client, "020 7946*").json()

    assert exact["number"] == "+442079460018"
    assert prefix["number"] == "+44207946*"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("+1 800*", "prefix_too_short"),
        ("800*", "prefix_too_short"),
        ("*", "invalid_prefix"),
        ("+1 800 5x5*", "invalid_prefix"),
        ("+1 800*555*", "invalid_prefix"),
        ("+1234567890123456*", "invalid_prefix"),
        ("+1 202 555 0143", "invalid_number"),  # Fictional.
        ("Hello", "invalid_number"),
        ("", "invalid"),
    ],
)
def test_a_bad_number_or_range_is_refused_with_its_code(phone, typed, code):
    response = _add(phone, typed)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not ListEntry.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"number": "+14152000001", "action": "mute"},
        {"number": "+14152000001"},
        {"number": 14152000001, "action": "block"},
        {"number": "+14152000001", "action": "block", "label": "x" * 65},
        {"action": "block"},
    ],
)
def test_malformed_bodies_are_refused(phone, body):
    response = phone.post(URL, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_same_rule_again_returns_the_existing_entry(phone):
    first = _add(phone, "+1 415 200 0001", label="First")

    again = _add(phone, "(415) 200-0001", label="Second")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ListEntry.objects.count() == 1


def test_the_same_number_with_the_other_action_is_a_conflict(phone):
    _add(phone, "+1 800 555*", "block")

    response = _add(phone, "+1800555*", "allow")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    assert ListEntry.objects.get().action == "block"


def test_a_number_and_a_range_of_the_same_digits_are_different_rules(phone):
    assert _add(phone, "+1 800 555 0000").status_code == 201
    assert _add(phone, "+1 800 555 0000*", "allow").status_code == 201


@override_settings(LIST_MAX_ENTRIES=2)
def test_a_full_list_refuses_more(phone):
    _add(phone, "+14152000001")
    _add(phone, "+14152000002")

    response = _add(phone, "+14152000003")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "list_full"
    assert ListEntry.objects.count() == 2


def test_a_device_sees_and_deletes_only_its_own_rules(device, phone):
    mine = _add(phone, "+14152000001").json()
    other_device, other_secret = make_device()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_secret}")
    theirs = _add(other, "+14152000002").json()

    listed = phone.get(URL).json()
    foreign = phone.delete(f"{URL}{theirs['id']}/")
    own = phone.delete(f"{URL}{mine['id']}/")
    again = phone.delete(f"{URL}{mine['id']}/")

    assert [entry["id"] for entry in listed["results"]] == [mine["id"]]
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"
    assert own.status_code == 204
    assert again.status_code == 404
    assert ListEntry.objects.filter(device=other_device).count() == 1


def test_the_list_is_newest_first(phone):
    ids = [_add(phone, f"+1415200000{i}").json()["id"] for i in range(1, 4)]

    listed = phone.get(URL).json()["results"]

    assert [entry["id"] for entry in listed] == ids[::-1]


def test_lists_need_a_device_token(api):
    assert api.get(URL).status_code == 401
    assert (
        api.post(URL, {"number": "+14152000001", "action": "block"}).status_code == 401
    )
    assert api.delete(f"{URL}1/").status_code == 401
