"""Changes to a device's own block and allow rules."""

import logging
import re
from datetime import datetime
from functools import partial

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction

from apps.devices.models import Device
from apps.numbers.selectors import caller_id

from .models import ListEntry
from .selectors import device_rules_forget

logger = logging.getLogger(__name__)

MAX_E164_DIGITS = 15
_SEPARATORS = re.compile(r"[\s\-.()/]+")


class ListRuleError(Exception):
    """A rule the API refuses, with the error code and status it answers."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def pattern_parse(raw: str, *, region: str) -> tuple[str, bool]:
    """``(pattern, is_prefix)`` for what a user typed.

    An exact number goes through the caller-ID normaliser and must be a valid
    number. A range ends with ``*``: separators are dropped, and what is left
    is ``+`` and E.164 digits, or national digits of ``region`` (its trunk
    prefix dropped), with at least ``LIST_PREFIX_MIN_DIGITS`` digits after
    the ``+``.
    """
    text = raw.strip()
    if text.endswith("*"):
        return _prefix(text[:-1], region), True

    number = caller_id(text, region)
    if not number.is_valid or number.e164 is None:
        raise ListRuleError(
            "invalid_number", "This is not a valid phone number; ranges end with *."
        )
    return number.e164, False


def _prefix(body: str, region: str) -> str:
    digits = _SEPARATORS.sub("", body)
    if digits.startswith("+"):
        international = digits[1:]
    else:
        international = _international(digits, region)
    if not international.isdigit() or not international.isascii():
        raise ListRuleError(
            "invalid_prefix",
            "A range is digits followed by *, e.g. +1 800 555*.",
        )
    minimum = settings.LIST_PREFIX_MIN_DIGITS
    if len(international) < minimum:
        raise ListRuleError(
            "prefix_too_short",
            f"A range needs at least {minimum} digits after the +.",
        )
    if len(international) > MAX_E164_DIGITS:
        raise ListRuleError("invalid_prefix", "A range is at most 15 digits.")
    return f"+{international}"


def _international(national: str, region: str) -> str:
    """National digits of ``region`` as E.164 digits; '' if they are not."""
    if not national.isdigit() or not national.isascii():
        return ""
    code = phonenumbers.country_code_for_region(region.upper())
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if not code or metadata is None:
        return ""
    trunk = metadata.national_prefix
    if trunk and national.startswith(trunk):
        national = national[len(trunk) :]
    return f"{code}{national}"


def list_entry_create(
    *, device: Device, number: str, action: str, label: str, now: datetime
) -> tuple[ListEntry, bool]:
    """Add a rule; ``(entry, created)``.

    The same rule again (same number or range, same action) returns the
    existing entry unchanged, so a retried request is harmless; the same
    number or range with the other action is a conflict.
    """
    region = device.region or settings.DEFAULT_REGION
    pattern, is_prefix = pattern_parse(number, region=region)

    try:
        with transaction.atomic():
            # One device's changes in turn, so the size limit holds.
            Device.objects.select_for_update().filter(pk=device.pk).first()
            existing = ListEntry.objects.filter(
                device_id=device.pk, pattern=pattern, is_prefix=is_prefix
            ).first()
            if existing is not None:
                return _existing(existing, action), False

            if ListEntry.objects.filter(device_id=device.pk).count() >= (
                settings.LIST_MAX_ENTRIES
            ):
                raise ListRuleError(
                    "list_full",
                    f"A list holds at most {settings.LIST_MAX_ENTRIES} entries.",
                )
            entry = ListEntry.objects.create(
                device_id=device.pk,
                pattern=pattern,
                is_prefix=is_prefix,
                action=action,
                label=label,
                created_at=now,
            )
            transaction.on_commit(partial(device_rules_forget, device.pk))
    except IntegrityError:
        # A concurrent identical request won the race on the unique pattern.
        existing = ListEntry.objects.get(
            device_id=device.pk, pattern=pattern, is_prefix=is_prefix
        )
        return _existing(existing, action), False

    logger.info(
        "list entry created",
        extra={"entry_id": entry.pk, "action": action, "is_prefix": is_prefix},
    )
    return entry, True


def _existing(entry: ListEntry, action: str) -> ListEntry:
    if entry.action != action:
        raise ListRuleError(
            "duplicate",
            f"This is already on your list as '{entry.action}'; delete it first.",
            status=409,
        )
    return entry


def list_entry_delete(*, device: Device, entry_id: int) -> bool:
    """Remove one of the device's rules; False if it has no such rule."""
    with transaction.atomic():
        deleted, _ = ListEntry.objects.filter(device_id=device.pk, pk=entry_id).delete()
        if deleted:
            transaction.on_commit(partial(device_rules_forget, device.pk))

    if deleted:
        logger.info("list entry deleted", extra={"entry_id": entry_id})
    return bool(deleted)
