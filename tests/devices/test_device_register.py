import pytest

from apps.devices.auth import token_hash
from apps.devices.models import Device

URL = "/api/v1/devices/"

VALID = {"platform": "android", "region": "us", "app_version": "2.4.1 (311)"}


@pytest.mark.django_db
def test_registering_answers_the_secret_once_and_stores_only_its_hash(api):
    response = api.post(URL, VALID, format="json")

    assert response.status_code == 201
    body = response.json()
    device = Device.objects.get(pk=body["id"])
    assert device.token_hash == token_hash(body["token"])
    assert body["token"] not in {device.token_hash, device.push_token}
    assert device.region == "US"
    assert device.platform == "android"
    assert device.app_version == "2.4.1 (311)"
    assert device.created_at is not None


@pytest.mark.django_db
def test_the_secret_from_registration_authenticates_the_phone(api):
    token = api.post(URL, VALID, format="json").json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(f"{URL}me/")

    assert response.status_code == 200
    assert response.json()["region"] == "US"
    assert "token" not in response.json()
    assert "token_hash" not in response.json()


@pytest.mark.django_db
def test_registering_ignores_an_authorization_header(api):
    api.credentials(HTTP_AUTHORIZATION="Token garbage")

    response = api.post(URL, VALID, format="json")

    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region", "given", "stored"),
    [
        ("US", "+1 415 555 2671", "+14155552671"),
        ("US", "(415) 555-2671", "+14155552671"),
        ("US", "4155", "+14155"),
        ("US", "1415", "+1415"),
        ("US", "+1415", "+1415"),
        ("GB", "020 7946 0958", "+442079460958"),
        ("GB", "0207", "+44207"),
        ("GB", "+4420", "+4420"),
        ("IT", "0612", "+390612"),
        ("US", "", ""),
        ("US", None, ""),
    ],
)
def test_the_phones_own_number_is_stored_as_e164_digits(api, region, given, stored):
    body = {**VALID, "region": region, "phone_number": given}

    response = api.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["phone_number"] == stored
    assert Device.objects.get().phone_number == stored


@pytest.mark.django_db
def test_a_push_token_given_at_registration_is_synced_to_its_topic(api, topic_sync):
    body = {**VALID, "push_token": "fcm:APA91b-token_1"}

    response = api.post(URL, body, format="json")

    assert response.status_code == 201
    topic_sync.enqueue.assert_called_once_with(
        topic_sync.task, response.json()["id"], "", ""
    )
    assert Device.objects.get().push_token == "fcm:APA91b-token_1"


@pytest.mark.django_db
def test_a_registration_without_push_token_enqueues_nothing(api, topic_sync):
    response = api.post(URL, VALID, format="json")

    assert response.status_code == 201
    topic_sync.enqueue.assert_not_called()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("platform", "windows"),
        ("platform", 1),
        ("platform", None),
        ("platform", ""),
        ("region", "XX"),
        ("region", "USA"),
        ("region", "u"),
        ("region", 1),
        ("region", ""),
        ("region", None),
        ("region", ["US"]),
        ("app_version", ""),
        ("app_version", "x" * 33),
        ("app_version", 2),
        ("app_version", "2.0\u00e9"),
        ("app_version", "2.0\x01beta"),
        ("app_version", None),
        ("phone_number", "abc"),
        ("phone_number", "415"),
        ("phone_number", "+1234567890123456"),
        ("phone_number", "1234567890123456"),
        ("phone_number", "999999999999999"),  # 16 digits once +1 is added
        ("phone_number", "#31#4155"),
        ("phone_number", 4155552671),
        ("phone_number", "+"),
        ("phone_number", "1" * 33),
        ("push_token", "with space"),
        ("push_token", "caf\u00e9"),
        ("push_token", "tok\x00en"),
        ("push_token", "x" * 4097),
        ("push_token", 12),
        ("push_token", {"token": "x"}),
    ],
)
def test_registering_refuses_each_bad_field(api, field, value):
    response = api.post(URL, {**VALID, field: value}, format="json")

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert not Device.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["platform", "region", "app_version"])
def test_registering_requires_platform_region_and_app_version(api, missing):
    body = {key: value for key, value in VALID.items() if key != missing}

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [missing]
    assert not Device.objects.exists()


@pytest.mark.django_db
def test_a_push_token_of_4096_characters_is_accepted(api):
    response = api.post(URL, {**VALID, "push_token": "t" * 4096}, format="json")

    assert response.status_code == 201
    assert len(Device.objects.get().push_token) == 4096
