"""Messages to single devices: batches, dead tokens cleared, failures retried."""

from unittest import mock

import pytest
from django.utils import timezone
from firebase_admin import messaging

from apps.devices.models import Device
from apps.push import tasks
from apps.push.services import push_send_to_devices
from tests.conftest import make_device
from tests.push.fake_fcm import (
    BAD_PAYLOAD,
    INVALID_TOKEN,
    QUOTA_EXCEEDED,
    SENDER_MISMATCH,
    UNAVAILABLE,
    UNREGISTERED,
)

DATA = {"type": "dispute", "state": "decided"}


def _devices(*tokens: str) -> dict[str, Device]:
    return {token: make_device(push_token=token)[0] for token in tokens}


def _token(device: Device) -> str:
    return Device.objects.values_list("push_token", flat=True).get(pk=device.pk)


def test_each_device_gets_the_data_as_a_silent_message(db, fcm):
    devices = _devices("token-a")

    report = push_send_to_devices(device_ids=[devices["token-a"].pk], data=DATA)

    assert report.sent == 1
    assert fcm.sends() == [
        {
            "message": {
                "token": "token-a",
                "data": DATA,
                "android": {"priority": "normal"},
                "apns": {
                    "headers": {"apns-push-type": "background", "apns-priority": "5"},
                    "payload": {"aps": {"content-available": 1}},
                },
            }
        }
    ]


def test_tokens_fcm_calls_dead_are_cleared_and_the_batch_goes_on(db, fcm):
    devices = _devices("ok-1", "gone", "garbled", "other-app", "ok-2")
    devices["gone"].push_topic = "blocklist-US"
    devices["gone"].save()
    fcm.fail("gone", UNREGISTERED)
    fcm.fail("garbled", INVALID_TOKEN)
    fcm.fail("other-app", SENDER_MISMATCH)

    report = push_send_to_devices(
        device_ids=[d.pk for d in devices.values()], data=DATA
    )

    assert (report.sent, report.cleared, report.failed, report.retry) == (2, 3, 0, [])
    assert {t: _token(d) for t, d in devices.items()} == {
        "ok-1": "ok-1",
        "gone": "",
        "garbled": "",
        "other-app": "",
        "ok-2": "ok-2",
    }
    assert Device.objects.get(pk=devices["gone"].pk).push_topic == ""
    assert len(fcm.sends()) == 5


def test_an_invalid_payload_does_not_cost_the_device_its_token(db, fcm):
    devices = _devices("token-a")
    fcm.fail("token-a", BAD_PAYLOAD)

    report = push_send_to_devices(device_ids=[devices["token-a"].pk], data=DATA)

    assert (report.sent, report.cleared, report.failed) == (0, 0, 1)
    assert _token(devices["token-a"]) == "token-a"


def test_a_token_replaced_meanwhile_is_not_cleared(db, fcm):
    devices = _devices("old-token")
    fcm.fail("old-token", UNREGISTERED)
    real_send_each = messaging.send_each

    def send_each_while_the_phone_updates(batch, **kwargs):
        Device.objects.filter(pk=devices["old-token"].pk).update(push_token="new-token")
        return real_send_each(batch, **kwargs)

    with mock.patch.object(messaging, "send_each", send_each_while_the_phone_updates):
        report = push_send_to_devices(device_ids=[devices["old-token"].pk], data=DATA)

    assert report.cleared == 0
    assert _token(devices["old-token"]) == "new-token"


def test_only_the_devices_that_hit_quota_or_unavailability_are_retried(
    db, fcm, eager_retries
):
    devices = _devices("fine", "busy", "down")
    fcm.fail("busy", QUOTA_EXCEEDED, headers={"Retry-After": "30"})
    fcm.fail("down", UNAVAILABLE, UNAVAILABLE)
    ids = [str(d.pk) for d in devices.values()]

    result = tasks.send_push_to_devices_task.apply(args=(ids, DATA))

    assert result.successful()
    assert [len(fcm.sends_to(token)) for token in ("fine", "busy", "down")] == [1, 2, 3]
    assert eager_retries == [(0, 30.0), (1, None)]


def test_erased_devices_and_devices_without_token_are_skipped(db, fcm):
    erased, _ = make_device(push_token="erased-token")
    Device.objects.filter(pk=erased.pk).update(erased_at=erased.created_at)
    silent, _ = make_device(push_token="")

    report = push_send_to_devices(device_ids=[erased.pk, silent.pk], data=DATA)

    assert report.sent == 0
    assert fcm.calls == []


@pytest.mark.slow
def test_messages_go_in_batches_of_at_most_500(db, fcm):
    now = timezone.now()
    Device.objects.bulk_create(
        [
            Device(
                platform="android",
                region="US",
                push_token=f"token-{i}",
                created_at=now,
                updated_at=now,
                token_hash=f"{i:064x}",
            )
            for i in range(1100)
        ]
    )
    ids = list(Device.objects.exclude(push_token="").values_list("pk", flat=True))
    batches = []
    real_send_each = messaging.send_each

    def counting_send_each(batch, **kwargs):
        batches.append(len(batch))
        return real_send_each(batch, **kwargs)

    with mock.patch.object(messaging, "send_each", counting_send_each):
        report = push_send_to_devices(device_ids=ids, data=DATA)

    assert batches == [500, 500, 100]
    assert report.sent == 1100
