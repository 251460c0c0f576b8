"""Pushes: one per block-list version per region, to single devices, and the
topic subscriptions that route the first kind.

Every function here is safe to run twice: a retried task resends at most a
silent message the phone handles idempotently, and subscriptions converge
on the device's current token and region.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from apps.blocklist.models import BlocklistRegion
from apps.core import instruments
from apps.core.hashing import pseudonym
from apps.devices.models import Device

from .backends import Outcome, PushFailedError, PushRetryableError, push_backend
from .messages import PushMessage, blocklist_message, checked, topic_for_region

logger = logging.getLogger(__name__)


def push_blocklist_version(*, region: str, version: int) -> bool:
    """Tell the region's topic that ``version`` is out; False when skipped.

    A version already superseded when its turn comes is skipped: the newer
    version's own push follows, and phones sync to the latest anyway.
    """
    latest = (
        BlocklistRegion.objects.filter(region=region)
        .values_list("version", flat=True)
        .first()
    )
    if latest is not None and latest > version:
        logger.info(
            "block-list push skipped: superseded",
            extra={"region": region, "version": version, "latest": latest},
        )
        return False

    message = blocklist_message(region=region, version=version)
    try:
        push_backend().send(message)
    except PushRetryableError as error:
        instruments.push_failed(error.code)
        raise
    except PushFailedError as error:
        instruments.push_failed(error.code)
        logger.error(
            "block-list push refused",
            extra={"region": region, "version": version, "code": error.code},
        )
        return False

    logger.info(
        "block-list push sent",
        extra={"region": region, "version": version, "topic": message.topic},
    )
    return True


@dataclass
class DeliveryReport:
    sent: int = 0
    cleared: int = 0  # devices whose token FCM called unregistered or invalid
    failed: int = 0
    retry: list[str] = field(default_factory=list)  # device ids to try again
    retry_after: float | None = None


def _tokens_clear(pairs: Sequence[tuple[str, str]]) -> int:
    """Forget these (device id, token) pairs' tokens, unless the device has
    sent a new token meanwhile."""
    cleared = 0
    for start in range(0, len(pairs), 200):
        condition = Q()
        for device_id, token in pairs[start : start + 200]:
            condition |= Q(pk=device_id, push_token=token)
        cleared += Device.objects.filter(condition).update(push_token="", push_topic="")
    return cleared


def push_send_to_devices(
    *, device_ids: Iterable[str], data: dict[str, str]
) -> DeliveryReport:
    """Send ``data`` to each device's token, in batches of at most 500.

    Tokens FCM reports unregistered or invalid are cleared from their
    device; devices that failed for quota or availability come back in
    ``retry``; no single failure stops the rest.
    """
    ids = sorted({str(device_id) for device_id in device_ids})
    targets: list[tuple[str, str]] = []
    for start in range(0, len(ids), 500):
        rows = (
            Device.objects.filter(
                pk__in=ids[start : start + 500], erased_at__isnull=True
            )
            .exclude(push_token="")
            .values_list("pk", "push_token")
        )
        targets.extend((str(pk), token) for pk, token in rows)
    report = DeliveryReport()
    if not targets:
        return report

    messages = [checked(PushMessage(data=data, token=token)) for _, token in targets]
    results = push_backend().send_each(messages)
    bad: list[tuple[str, str]] = []
    for (device_id, token), result in zip(targets, results, strict=True):
        if result.outcome is Outcome.SENT:
            report.sent += 1
            continue
        instruments.push_failed(result.code)
        if result.outcome is Outcome.BAD_TOKEN:
            bad.append((device_id, token))
        elif result.outcome is Outcome.RETRY:
            report.retry.append(device_id)
            if result.retry_after is not None:
                report.retry_after = max(report.retry_after or 0.0, result.retry_after)
        else:
            report.failed += 1
            logger.warning(
                "push to device refused",
                extra={
                    "device": device_id,
                    "token": pseudonym(token),
                    "code": result.code,
                },
            )
    report.cleared = _tokens_clear(bad)
    logger.info(
        "push to devices",
        extra={
            "sent": report.sent,
            "cleared": report.cleared,
            "failed": report.failed,
            "retry": len(report.retry),
        },
    )
    return report


def push_device_topic_sync(
    *, device_id: str, previous_token: str = "", previous_topic: str = ""
) -> str:
    """Move the device's push token to its region's topic; the topic held.

    The previous token (or topic) is unsubscribed when the token or the
    topic changed; the current token, if any and the device is not erased,
    is subscribed and the topic stored. It works from the device's current
    row, so runs in any order end in the same place. Raises
    `PushRetryableError` when FCM asks to try later.
    """
    device = Device.objects.filter(pk=device_id).first()
    token = device.push_token if device is not None and not device.is_erased else ""
    topic = topic_for_region(device.region) if token else ""
    old_topic = previous_topic or (device.push_topic if device is not None else "")
    old_token = previous_token or token
    backend = push_backend()

    if old_token and old_topic and (old_token, old_topic) != (token, topic):
        (result,) = backend.unsubscribe([old_token], old_topic)
        if result.outcome is Outcome.RETRY:
            raise PushRetryableError(result.code, result.retry_after)
        # A dead old token is as good as unsubscribed.

    if token:
        (result,) = backend.subscribe([token], topic)
        if result.outcome is Outcome.RETRY:
            raise PushRetryableError(result.code, result.retry_after)
        if result.outcome is Outcome.BAD_TOKEN:
            instruments.push_failed(result.code)
            _tokens_clear([(str(device.pk), token)])
            logger.info(
                "push token refused by FCM; cleared",
                extra={"device": str(device.pk), "code": result.code},
            )
            return ""
        if result.outcome is Outcome.FAILED:
            instruments.push_failed(result.code)
            logger.error(
                "push topic subscription refused",
                extra={"device": str(device.pk), "topic": topic, "code": result.code},
            )
            return device.push_topic

    if device is not None and device.push_topic != topic:
        Device.objects.filter(pk=device.pk, push_token=device.push_token).update(
            push_topic=topic
        )
    return topic
