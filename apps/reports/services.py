"""Writes about reports: filing one, retracting one.

A device holds at most one active vote per number. Filing a report on a
number it already voted on supersedes the earlier report, whatever the two
calls' times: the latest word of the person is the one that counts. Every
change writes a ``ReportChange`` row in the same transaction, which is all
aggregation needs; nothing is enqueued per report, so a report is stored
even while Redis is down.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from apps.core import instruments
from apps.core.hashing import pseudonym
from apps.devices.services import device_lock
from apps.numbers.normalize import Kind
from apps.numbers.selectors import caller_id

from .masking import comment_mask
from .models import Report, ReportChange

logger = logging.getLogger(__name__)

_MAX_ID = 2**63 - 1  # bigint: a larger id in a URL names no report
_NUMBER_MAX_LENGTH = Report._meta.get_field("number").max_length


class NumberRejected(ValueError):
    """The reported caller ID cannot be the subject of a report."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class IdempotencyKeyReused(ValueError):
    """The key names an earlier report of another call: a client bug, and
    answering the earlier report would silently drop this one."""


class ReportNotFound(LookupError):
    """No such report among the device's own."""


def report_create(
    *,
    device_id,
    number: str,
    category: str,
    called_at: datetime,
    verification: str = "",
    answered: bool | None = None,
    comment: str = "",
    idempotency_key: str = "",
    now: datetime,
) -> tuple[Report, bool]:
    """File a report, or find the one this request already filed.

    Returns the report and whether it is new. A request is the same as an
    earlier one when it carries the same idempotency key, or names the same
    number and call time; then the first report is returned unchanged.
    Raises ``NumberRejected`` for a withheld caller ID or text that is not a
    number, and ``DeviceGone`` when the device was erased meanwhile.
    """
    with transaction.atomic():
        device = device_lock(device_id=device_id)
        caller = caller_id(number, device.region)
        if idempotency_key:
            earlier = Report.objects.filter(
                device=device, idempotency_key=idempotency_key
            ).first()
            if earlier is not None:
                if (earlier.number, earlier.called_at) != (caller.e164, called_at):
                    raise IdempotencyKeyReused(idempotency_key)
                return earlier, False

        _check_reportable(caller.kind, caller.e164)
        earlier = _same_call(device.pk, caller.e164, called_at)
        if earlier is not None:
            return earlier, False

        try:
            with transaction.atomic():
                superseded = Report.objects.filter(
                    device=device, number=caller.e164, active=True
                ).update(active=False, superseded_at=now)
                report = Report.objects.create(
                    device=device,
                    number=caller.e164,
                    number_region=caller.region or "",
                    category=category,
                    called_at=called_at,
                    created_at=now,
                    verification=verification or "",
                    answered=answered,
                    comment=comment_mask(comment, device.region) if comment else "",
                    idempotency_key=idempotency_key,
                )
                ReportChange.objects.create(number=caller.e164)
        except IntegrityError:
            # A concurrent twin got in first (no row locks on SQLite).
            earlier = _earlier_twin(device.pk, idempotency_key, caller.e164, called_at)
            if earlier is None:
                raise
            return earlier, False

    logger.info(
        "report filed",
        extra={
            "report": report.pk,
            "device": str(device.pk),
            "number": pseudonym(report.number),
            "category": category,
            "superseded": superseded,
        },
    )
    instruments.report_created(category)
    return report, True


def report_retract(*, device_id, report_id: int, now: datetime) -> Report:
    """Withdraw one of the device's reports; retracting twice is harmless.

    Raises ``ReportNotFound`` when the report is not this device's.
    """
    if not 0 < report_id <= _MAX_ID:
        raise ReportNotFound(report_id)

    with transaction.atomic():
        device_lock(device_id=device_id)
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id, device_id=device_id)
            .first()
        )
        if report is None:
            raise ReportNotFound(report_id)
        if report.retracted_at is not None:
            return report

        report.active = False
        report.retracted_at = now
        report.save(update_fields=["active", "retracted_at"])
        ReportChange.objects.create(number=report.number)

    logger.info(
        "report retracted",
        extra={"report": report.pk, "device": str(device_id)},
    )
    return report


def _check_reportable(kind: Kind, e164: str | None) -> None:
    if kind is Kind.WITHHELD:
        raise NumberRejected(
            "withheld_number",
            "A withheld caller ID cannot be reported; block withheld calls "
            "on the phone instead.",
        )
    if kind is Kind.NOT_A_NUMBER:
        raise NumberRejected("not_a_number", "This is not a phone number.")
    # An over-long number that still parsed can exceed the column (21
    # characters for a 17-digit national part): no real number is that long.
    if e164 is None or len(e164) > _NUMBER_MAX_LENGTH:
        raise NumberRejected("invalid_number", "This cannot be a phone number.")


def _same_call(device_id, number: str, called_at: datetime) -> Report | None:
    return Report.objects.filter(
        device_id=device_id, number=number, called_at=called_at
    ).first()


def _earlier_twin(
    device_id, idempotency_key: str, number: str, called_at: datetime
) -> Report | None:
    if idempotency_key:
        twin = Report.objects.filter(
            device_id=device_id, idempotency_key=idempotency_key
        ).first()
        if twin is not None:
            return twin
    return _same_call(device_id, number, called_at)
