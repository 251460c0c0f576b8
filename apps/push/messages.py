"""What the server pushes: small, silent data messages, described once.

``PushMessage`` is independent of the provider. ``message_body`` gives the
FCM HTTP v1 ``message`` JSON it becomes, which the log backend writes and
the size check measures; the Firebase backend builds the SDK's objects from
the same fields, and the tests compare the two byte for byte.
"""

import json
from dataclasses import dataclass

from django.conf import settings

from apps.blocklist.regions import list_region_for_device

# FCM refuses topic messages over 2048 bytes (4096 for single devices); the
# limit checked is the stricter one, for every message.
MAX_MESSAGE_BYTES = 2048


@dataclass(frozen=True)
class PushMessage:
    """A data message to one topic or one registration token.

    Always silent: Android delivers it at normal priority, iOS as a
    background push (``content-available``, priority 5), so the app wakes up
    to sync without showing anything. ``collapse_key`` lets a newer message
    replace an undelivered older one on both platforms.
    """

    data: dict[str, str]
    topic: str = ""
    token: str = ""
    collapse_key: str = ""
    ttl_seconds: int | None = None

    def __post_init__(self):
        if bool(self.topic) == bool(self.token):
            raise ValueError("A push message goes to exactly one topic or token.")
        if not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.data.items()
        ):
            raise ValueError("Push data keys and values must be strings.")

    @property
    def apns_headers(self) -> dict[str, str]:
        headers = {"apns-push-type": "background", "apns-priority": "5"}
        if self.collapse_key:
            headers["apns-collapse-id"] = self.collapse_key
        return headers


def message_body(message: PushMessage) -> dict:
    """The ``message`` object of an FCM HTTP v1 ``messages:send`` request."""
    android: dict = {"priority": "normal"}
    if message.collapse_key:
        android["collapse_key"] = message.collapse_key
    if message.ttl_seconds is not None:
        android["ttl"] = f"{message.ttl_seconds}s"
    body: dict = {
        "data": dict(message.data),
        "android": android,
        "apns": {
            "headers": message.apns_headers,
            "payload": {"aps": {"content-available": 1}},
        },
    }
    if message.topic:
        body["topic"] = message.topic
    else:
        body["token"] = message.token
    return body


def message_size(message: PushMessage) -> int:
    """Bytes of the message as sent, compact JSON."""
    return len(json.dumps(message_body(message), separators=(",", ":")).encode())


def checked(message: PushMessage) -> PushMessage:
    size = message_size(message)
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"push message of {size} bytes exceeds {MAX_MESSAGE_BYTES}")
    return message


def topic_for_region(region: str) -> str:
    """The FCM topic of the list a phone in ``region`` reads."""
    return f"{settings.PUSH_TOPIC_PREFIX}{list_region_for_device(region)}"


def topic_for_list(list_region: str) -> str:
    return f"{settings.PUSH_TOPIC_PREFIX}{list_region}"


def blocklist_message(*, region: str, version: int) -> PushMessage:
    """The one message that tells every phone of a list to sync it."""
    topic = topic_for_list(region)
    return checked(
        PushMessage(
            data={"type": "blocklist", "region": region, "version": str(version)},
            topic=topic,
            collapse_key=topic,
            ttl_seconds=settings.PUSH_BLOCKLIST_TTL_SECONDS,
        )
    )
