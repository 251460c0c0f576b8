"""Celery tasks that push; each retries with exponential backoff when FCM
reports quota exhaustion or unavailability."""

import logging
import random

from celery import shared_task
from django.conf import settings

from .backends import PushRetryableError
from .services import (
    push_blocklist_version,
    push_device_topic_sync,
    push_send_to_devices,
)

logger = logging.getLogger(__name__)

_BACKOFF_BASE = 5


def _countdown(retries: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never sooner than FCM's Retry-After."""
    ceiling = min(settings.PUSH_RETRY_BACKOFF_MAX, _BACKOFF_BASE * 2**retries)
    wait = random.uniform(ceiling / 2, ceiling)
    return max(wait, retry_after or 0.0)


_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "max_retries": settings.PUSH_MAX_RETRIES,
    "soft_time_limit": 120,
    "time_limit": 150,
}


@shared_task(**_TASK_OPTIONS)
def send_blocklist_push_task(self, region: str, version: int) -> bool:
    """One data message to the region's topic announcing ``version``."""
    try:
        return push_blocklist_version(region=region, version=version)
    except PushRetryableError as error:
        raise self.retry(
            exc=error, countdown=_countdown(self.request.retries, error.retry_after)
        ) from error


@shared_task(**_TASK_OPTIONS)
def send_push_to_devices_task(self, device_ids: list[str], data: dict[str, str]) -> int:
    """``data`` to each device; only the devices that failed are retried."""
    report = push_send_to_devices(device_ids=device_ids, data=data)
    if report.retry:
        raise self.retry(
            args=(report.retry, data),
            countdown=_countdown(self.request.retries, report.retry_after),
        )
    return report.sent


@shared_task(**_TASK_OPTIONS)
def sync_device_topic_task(
    self, device_id: str, previous_token: str = "", previous_topic: str = ""
) -> str:
    """Subscribe the device's token to its region's topic (and leave the old)."""
    try:
        return push_device_topic_sync(
            device_id=device_id,
            previous_token=previous_token,
            previous_topic=previous_topic,
        )
    except PushRetryableError as error:
        raise self.retry(
            exc=error, countdown=_countdown(self.request.retries, error.retry_after)
        ) from error
