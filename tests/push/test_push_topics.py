"""Devices follow their region's topic: subscribe, move, leave."""

from django.utils import timezone

from apps.devices.models import Device
from apps.push import tasks
from tests.conftest import make_device
from tests.push.fake_fcm import QUOTA_EXCEEDED, UNREGISTERED


def _sync(device: Device, previous_token: str = "", previous_topic: str = "") -> str:
    return tasks.sync_device_topic_task.apply(
        args=(str(device.pk), previous_token, previous_topic)
    ).get()


def _topic(device: Device) -> str:
    return Device.objects.values_list("push_topic", flat=True).get(pk=device.pk)


def test_a_registered_device_is_subscribed_to_its_region_topic(db, fcm):
    device, _ = make_device(region="US", push_token="tok/en:1")

    assert _sync(device) == "blocklist-US"

    assert fcm.topic_calls() == [("POST", "tok/en:1", "blocklist-US")]
    (call,) = [c for c in fcm.calls if c.method == "POST" and "registrations" in c.url]
    assert call.url == (
        "https://fcm.googleapis.com/v1/projects/callguard-test/registrations/"
        "tok%2Fen%3A1/topicSubscriptions?topic_name=blocklist-US"
    )
    assert call.body == {}
    assert _topic(device) == "blocklist-US"


def test_every_nanp_region_shares_the_us_topic(db, fcm):
    device, _ = make_device(region="PR", push_token="token-pr")

    assert _sync(device) == "blocklist-US"


def test_a_device_that_moves_region_leaves_the_old_topic_for_the_new(db, fcm):
    device, _ = make_device(
        region="GB", push_token="token-1", push_topic="blocklist-US"
    )

    _sync(device, previous_token="token-1", previous_topic="blocklist-US")

    assert fcm.topic_calls() == [
        ("DELETE", "token-1", "blocklist-US"),
        ("POST", "token-1", "blocklist-GB"),
    ]
    assert _topic(device) == "blocklist-GB"


def test_a_new_token_replaces_the_old_one_in_the_topic(db, fcm):
    device, _ = make_device(
        region="US", push_token="token-2", push_topic="blocklist-US"
    )

    _sync(device, previous_token="token-1", previous_topic="blocklist-US")

    assert fcm.topic_calls() == [
        ("DELETE", "token-1", "blocklist-US"),
        ("POST", "token-2", "blocklist-US"),
    ]


def test_nothing_is_unsubscribed_when_neither_token_nor_topic_changed(db, fcm):
    device, _ = make_device(
        region="US", push_token="token-1", push_topic="blocklist-US"
    )

    _sync(device, previous_token="token-1", previous_topic="blocklist-US")

    assert fcm.topic_calls() == [("POST", "token-1", "blocklist-US")]


def test_an_erased_device_leaves_its_topic(db, fcm):
    device, _ = make_device(region="US", push_token="", push_topic="blocklist-US")
    Device.objects.filter(pk=device.pk).update(erased_at=timezone.now())

    assert _sync(device, previous_token="token-1", previous_topic="blocklist-US") == ""

    assert fcm.topic_calls() == [("DELETE", "token-1", "blocklist-US")]
    assert _topic(device) == ""


def test_a_token_fcm_does_not_know_is_cleared_from_the_device(db, fcm):
    device, _ = make_device(region="US", push_token="dead-token")
    fcm.fail("topic:dead-token", UNREGISTERED)

    assert _sync(device) == ""

    assert Device.objects.values_list("push_token", flat=True).get(pk=device.pk) == ""


def test_a_subscription_refused_for_quota_is_retried(db, fcm, eager_retries):
    device, _ = make_device(region="US", push_token="token-1")
    fcm.fail("topic:token-1", QUOTA_EXCEEDED)

    assert _sync(device) == "blocklist-US"

    assert fcm.topic_calls() == [("POST", "token-1", "blocklist-US")] * 2
    assert eager_retries == [(0, None)]


def test_changing_region_through_the_api_moves_the_subscription(
    db, fcm, phone, device, django_capture_on_commit_callbacks
):
    Device.objects.filter(pk=device.pk).update(
        push_token="token-1", push_topic="blocklist-US"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = phone.patch("/api/v1/devices/me/", {"region": "FR"}, format="json")

    assert response.status_code == 200
    assert fcm.topic_calls() == [
        ("DELETE", "token-1", "blocklist-US"),
        ("POST", "token-1", "blocklist-FR"),
    ]
    assert _topic(device) == "blocklist-FR"
