from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.devices.models import Device
from apps.lists.models import ListEntry
from apps.reports.models import Report
from tests.conftest import make_device

URL = "/api/v1/devices/me/"


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _report(phone: APIClient, number: str, comment: str) -> dict:
    response = phone.post(
        "/api/v1/reports/",
        {
            "number": number,
            "category": "scam",
            "called_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "comment": comment,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def filled_device():
    """A device with a push token, an own number, rules and two reports."""
    device, secret = make_device(
        push_token="fcm-token", push_topic="region-US", phone_number="+1415"
    )
    phone = _client(secret)
    for pattern in ("+14155552671", "+1800"):
        ListEntry.objects.create(
            device=device,
            pattern=pattern,
            is_prefix=pattern == "+1800",
            action="block",
            created_at=timezone.now(),
        )
    _report(phone, "415 555 2671", "they said I won a cruise")
    _report(phone, "+1 212 555 0199", "")
    return device, secret, phone


@pytest.mark.django_db
def test_erasing_strips_the_device_but_keeps_its_reports_counting(
    filled_device, topic_sync
):
    device, _, phone = filled_device
    other, _ = make_device()
    ListEntry.objects.create(
        device=other, pattern="+1800", action="block", created_at=timezone.now()
    )
    active_before = Report.objects.filter(active=True).count()

    response = phone.delete(URL)

    assert response.status_code == 204
    device.refresh_from_db()
    assert device.token_hash is None
    assert device.push_token == ""
    assert device.phone_number == ""
    assert device.app_version == ""
    assert device.erased_at is not None
    assert not ListEntry.objects.filter(device=device).exists()
    assert ListEntry.objects.filter(device=other).count() == 1
    reports = Report.objects.filter(device=device)
    assert reports.count() == 2
    assert set(reports.values_list("comment", flat=True)) == {""}
    assert Report.objects.filter(active=True).count() == active_before
    topic_sync.enqueue.assert_called_once_with(
        topic_sync.task, str(device.id), "fcm-token", "region-US"
    )


@pytest.mark.django_db
def test_the_old_token_is_refused_once_the_device_is_erased(filled_device):
    _, _, phone = filled_device
    assert phone.get(URL).status_code == 200  # The identity is now cached.

    assert phone.delete(URL).status_code == 204

    for response in (phone.get(URL), phone.get("/api/v1/reports/")):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_erasing_forgets_the_cached_rules_after_the_commit(
    filled_device, django_capture_on_commit_callbacks
):
    device, _, phone = filled_device
    forget = mock.Mock()
    lists_selectors = mock.Mock(device_rules_forget=forget)

    with (
        mock.patch.dict("sys.modules", {"apps.lists.selectors": lists_selectors}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = phone.delete(URL)

    assert response.status_code == 204
    forget.assert_called_once_with(device.pk)


@pytest.mark.django_db
def test_erasing_an_already_erased_device_changes_nothing(filled_device):
    from apps.devices.services import device_erase

    device, _, phone = filled_device
    phone.delete(URL)
    erased_at = Device.objects.get(pk=device.pk).erased_at

    device_erase(device=device)

    assert Device.objects.get(pk=device.pk).erased_at == erased_at
