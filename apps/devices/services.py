"""Writes about devices: registration, settings, erasure, the device lock."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.core import queue
from apps.lists.models import ListEntry
from apps.reports.models import Report

from .auth import device_cache_forget, token_new
from .models import Device

logger = logging.getLogger(__name__)

UPDATABLE_FIELDS = frozenset({"push_token", "region", "phone_number", "app_version"})
_TOPIC_FIELDS = frozenset({"push_token", "region"})


class DeviceGone(Exception):
    """The device was erased (or never existed) by the time it was locked."""


def device_lock(*, device_id) -> Device:
    """The live device row, locked until the transaction ends.

    Every write on behalf of a device (its settings, its reports, its
    erasure) starts here, so two requests of one device run one after the
    other. Call inside ``transaction.atomic()``; on SQLite, which has no row
    locks, the database's single writer serialises instead.
    """
    device = (
        Device.objects.select_for_update()
        .filter(pk=device_id, erased_at__isnull=True)
        .first()
    )
    if device is None:
        raise DeviceGone(str(device_id))
    return device


def device_register(
    *,
    platform: str,
    region: str,
    app_version: str,
    phone_number: str = "",
    push_token: str = "",
    now: datetime,
) -> tuple[Device, str]:
    """A new anonymous device and its secret, which is not stored anywhere."""
    secret, hashed = token_new()
    with transaction.atomic():
        device = Device.objects.create(
            token_hash=hashed,
            platform=platform,
            region=region,
            app_version=app_version,
            phone_number=phone_number or "",
            push_token=push_token or "",
            created_at=now,
            updated_at=now,
        )
        _topic_sync_enqueue(device, previous_token="", previous_topic="")

    logger.info(
        "device registered",
        extra={"device": str(device.id), "platform": platform, "region": region},
    )
    return device, secret


def device_update(*, device: Device, **fields) -> Device:
    """Change the device's settings; only ``UPDATABLE_FIELDS`` may be given."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"device_update() got unexpected fields {sorted(unknown)}")

    with transaction.atomic():
        device = device_lock(device_id=device.pk)
        previous_token, previous_topic = device.push_token, device.push_topic
        changed = [
            name for name, value in fields.items() if getattr(device, name) != value
        ]
        if not changed:
            return device

        for name in changed:
            setattr(device, name, fields[name])
        device.updated_at = timezone.now()
        device.save(update_fields=[*changed, "updated_at"])
        _cache_forget_now_and_on_commit(device, device.token_hash)
        if _TOPIC_FIELDS.intersection(changed):
            _topic_sync_enqueue(
                device, previous_token=previous_token, previous_topic=previous_topic
            )

    logger.info(
        "device updated", extra={"device": str(device.id), "fields": sorted(changed)}
    )
    return device


def device_erase(*, device: Device) -> None:
    """Strip the device of everything personal; its reports keep counting.

    The row stays as the anonymous voter behind its reports, without secret,
    push token, number or app version. Its list entries are deleted and the
    comments of its reports emptied. Erasing twice changes nothing.
    """
    with transaction.atomic():
        try:
            device = device_lock(device_id=device.pk)
        except DeviceGone:
            return

        previous_token, previous_topic = device.push_token, device.push_topic
        old_hash = device.token_hash
        _cache_forget_now_and_on_commit(device, old_hash)

        rules, _ = ListEntry.objects.filter(device=device).delete()
        comments = (
            Report.objects.filter(device=device).exclude(comment="").update(comment="")
        )
        now = timezone.now()
        device.token_hash = None
        device.push_token = ""
        device.phone_number = ""
        device.app_version = ""
        device.erased_at = now
        device.updated_at = now
        device.save(
            update_fields=[
                "token_hash",
                "push_token",
                "phone_number",
                "app_version",
                "erased_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: _rules_cache_forget(device.pk))
        _topic_sync_enqueue(
            device, previous_token=previous_token, previous_topic=previous_topic
        )

    logger.info(
        "device erased",
        extra={"device": str(device.id), "rules": rules, "comments": comments},
    )


def _cache_forget_now_and_on_commit(device: Device, hashed: str | None) -> None:
    # Forgetting only before the commit would let a request in between cache
    # the old row again; forgetting only after would leave a window where a
    # failed commit is invisible. Both is cheap.
    device_cache_forget(device)
    stub = Device(id=device.pk, token_hash=hashed)
    transaction.on_commit(lambda: device_cache_forget(stub))


def _rules_cache_forget(device_id) -> None:
    try:
        from apps.lists.selectors import device_rules_forget
    except ImportError:
        return
    device_rules_forget(device_id)


def _topic_sync_enqueue(
    device: Device, *, previous_token: str, previous_topic: str
) -> None:
    """Have the push worker move the device's token to its region's topic.

    Nothing to do when the device had no push token and still has none.
    """
    if not device.push_token and not previous_token:
        return
    try:
        from apps.push.tasks import sync_device_topic_task
    except ImportError:
        logger.exception("push tasks unavailable; topic not synced")
        return

    queue.enqueue(
        sync_device_topic_task, str(device.pk), previous_token, previous_topic
    )
