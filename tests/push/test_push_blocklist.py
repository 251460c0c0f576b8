"""One silent push per region and version, through the real firebase-admin."""

import json
import logging
from datetime import UTC, datetime

import pytest

from apps.push import tasks
from apps.push.backends import push_backend_reset
from apps.push.messages import blocklist_message, message_body
from apps.push.services import push_blocklist_version
from apps.reputation.models import Reputation
from tests.conftest import make_device
from tests.push.fake_fcm import ACCESS_TOKEN, INTERNAL, QUOTA_EXCEEDED, UNAVAILABLE

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

US_BODY = {
    "message": {
        "topic": "blocklist-US",
        "data": {"type": "blocklist", "region": "US", "version": "1"},
        "android": {
            "collapse_key": "blocklist-US",
            "priority": "normal",
            "ttl": "86400s",
        },
        "apns": {
            "headers": {
                "apns-push-type": "background",
                "apns-priority": "5",
                "apns-collapse-id": "blocklist-US",
            },
            "payload": {"aps": {"content-available": 1}},
        },
    }
}


def _block(*numbers: str) -> None:
    for number in numbers:
        Reputation.objects.create(number=number, verdict="block", activity=1.0)


def _publish(django_capture_on_commit_callbacks, *numbers: str):
    from apps.blocklist.services import blocklist_update

    with django_capture_on_commit_callbacks(execute=True):
        return blocklist_update(numbers=list(numbers), now=NOW)


def test_a_new_version_sends_one_message_to_the_topic_whatever_the_devices(
    db, fcm, django_capture_on_commit_callbacks
):
    for index in range(25):
        make_device(region="US", push_token=f"token-{index}", push_topic="blocklist-US")
    _block("+14155550100", "+14155550101", "+16045550100")

    published = _publish(
        django_capture_on_commit_callbacks,
        "+14155550100",
        "+14155550101",
        "+16045550100",
    )

    assert published == [("US", 1)]
    assert fcm.sends() == [US_BODY]
    assert fcm.token_requests == 1
    send = next(c for c in fcm.calls if c.body == US_BODY)
    assert send.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_every_region_of_a_run_gets_its_own_single_message(
    db, fcm, django_capture_on_commit_callbacks
):
    _block("+14155550100", "+442079460000", "+33142685300")

    _publish(
        django_capture_on_commit_callbacks,
        "+14155550100",
        "+442079460000",
        "+33142685300",
    )

    topics = sorted(body["message"]["topic"] for body in fcm.sends())
    assert topics == ["blocklist-FR", "blocklist-GB", "blocklist-US"]


def test_the_message_sent_is_the_one_described_and_far_below_the_limit(db, fcm):
    message = blocklist_message(region="US", version=1)

    push_blocklist_version(region="US", version=1)

    (body,) = fcm.sends()
    assert body == {"message": message_body(message)}
    assert len(json.dumps(body["message"], separators=(",", ":"))) < 512


def test_a_version_superseded_before_its_push_ran_is_not_pushed(
    db, fcm, django_capture_on_commit_callbacks
):
    _block("+14155550100")
    _publish(django_capture_on_commit_callbacks, "+14155550100")
    _block("+14155550101")
    _publish(django_capture_on_commit_callbacks, "+14155550101")

    assert push_blocklist_version(region="US", version=1) is False
    assert [b["message"]["data"]["version"] for b in fcm.sends()] == ["1", "2"]


@pytest.mark.parametrize(
    "refusal",
    [QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL],
    ids=["quota", "unavailable", "internal"],
)
def test_a_refused_push_is_retried_with_backoff_until_fcm_takes_it(
    db, fcm, eager_retries, refusal
):
    fcm.fail("blocklist-US", refusal, refusal, headers={"Retry-After": "7"})

    result = tasks.send_blocklist_push_task.apply(args=("US", 1))

    assert result.successful()
    assert result.result is True
    expected = {"message": message_body(blocklist_message(region="US", version=1))}
    assert fcm.sends() == [expected] * 3
    assert eager_retries == [(0, 7.0), (1, 7.0)]


def test_a_push_is_given_up_after_the_last_retry(db, fcm, eager_retries):
    fcm.fail("blocklist-US", *[QUOTA_EXCEEDED] * 20)

    result = tasks.send_blocklist_push_task.apply(args=("US", 1))

    assert result.failed()
    assert len(fcm.sends()) == tasks.send_blocklist_push_task.max_retries + 1


@pytest.mark.parametrize(
    ("retries", "retry_after", "low", "high"),
    [
        (0, None, 2.5, 5),
        (3, None, 20, 40),
        (20, None, 300, 600),
        (0, 90.0, 90, 90),
    ],
)
def test_retries_back_off_exponentially_and_honour_retry_after(
    retries, retry_after, low, high
):
    wait = tasks._countdown(retries, retry_after)

    assert low <= wait <= high


def test_the_log_backend_writes_the_message_to_the_log(db, settings, caplog):
    settings.PUSH_BACKEND = "log"
    push_backend_reset()

    with caplog.at_level(logging.INFO, logger="apps.push.backends"):
        assert push_blocklist_version(region="US", version=4) is True

    (record,) = [r for r in caplog.records if r.getMessage() == "push sent"]
    assert json.loads(record.push)["data"] == {
        "type": "blocklist",
        "region": "US",
        "version": "4",
    }
