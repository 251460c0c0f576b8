import pytest
from django.core.cache import cache

from apps.devices.auth import _cache_key
from apps.devices.models import Device
from tests.conftest import make_device

URL = "/api/v1/devices/me/"


@pytest.mark.django_db
def test_a_device_sees_its_own_settings_but_never_its_secret(phone, device):
    response = phone.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(device.id)
    assert body["platform"] == "android"
    assert body["region"] == "US"
    assert not {"token", "token_hash", "trust", "erased_at"} & set(body)


@pytest.mark.django_db
def test_patching_changes_only_the_fields_sent(phone, device):
    response = phone.patch(URL, {"app_version": "3.0.0"}, format="json")

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.app_version == "3.0.0"
    assert device.region == "US"
    assert response.json()["app_version"] == "3.0.0"


@pytest.mark.django_db
def test_a_national_phone_number_is_read_in_the_new_region_when_both_change(
    phone, device
):
    response = phone.patch(
        URL, {"region": "gb", "phone_number": "020 7946 0958"}, format="json"
    )

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.region == "GB"
    assert device.phone_number == "+442079460958"


@pytest.mark.django_db
def test_a_national_phone_number_is_read_in_the_stored_region(phone, device):
    response = phone.patch(URL, {"phone_number": "4155"}, format="json")

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.phone_number == "+14155"


@pytest.mark.django_db
def test_a_new_region_or_push_token_resyncs_the_topic(topic_sync):
    device, secret = make_device(push_token="old-token", push_topic="region-US")
    from rest_framework.test import APIClient

    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = phone.patch(URL, {"push_token": "new-token"}, format="json")

    assert response.status_code == 200
    topic_sync.enqueue.assert_called_once_with(
        topic_sync.task, str(device.id), "old-token", "region-US"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"app_version": "9.9"}, {"phone_number": "4155"}, {"region": "US"}]
)
def test_other_changes_do_not_resync_the_topic(phone, topic_sync, body):
    response = phone.patch(URL, body, format="json")

    assert response.status_code == 200
    topic_sync.enqueue.assert_not_called()


@pytest.mark.django_db
def test_a_new_region_reaches_the_cached_identity_at_once(phone, device):
    phone.get(URL)  # Caches the identity.
    assert cache.get(_cache_key(device.token_hash))["region"] == "US"

    phone.patch(URL, {"region": "CA"}, format="json")

    assert cache.get(_cache_key(device.token_hash)) is None
    assert phone.get(URL).json()["region"] == "CA"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"region": "ZZ"}, "region"),
        ({"region": None}, "region"),
        ({"push_token": "has space"}, "push_token"),
        ({"phone_number": "12"}, "phone_number"),
        ({"app_version": ""}, "app_version"),
        ({"app_version": 3}, "app_version"),
    ],
)
def test_patching_refuses_bad_fields_and_changes_nothing(phone, device, body, field):
    before = Device.objects.values().get(pk=device.pk)

    response = phone.patch(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Device.objects.values().get(pk=device.pk) == before


@pytest.mark.django_db
def test_an_empty_patch_changes_nothing(phone, device):
    before = Device.objects.values().get(pk=device.pk)

    response = phone.patch(URL, {}, format="json")

    assert response.status_code == 200
    assert Device.objects.values().get(pk=device.pk) == before


@pytest.mark.django_db
def test_push_token_null_removes_it(topic_sync):
    device, secret = make_device(push_token="old-token")
    from rest_framework.test import APIClient

    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = phone.patch(URL, {"push_token": None}, format="json")

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.push_token == ""
    topic_sync.enqueue.assert_called_once_with(
        topic_sync.task, str(device.id), "old-token", ""
    )


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_the_device_endpoint_needs_a_token(api, method):
    response = getattr(api, method)(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
