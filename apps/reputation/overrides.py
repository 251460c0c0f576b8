"""Staff overrides: decisions on a number that beat the crowd until lifted.

Every change writes, in one transaction, the override row, an audit record
(before and after as JSON) and a `ReportChange` for the number, so the next
aggregation run recomputes its reputation and the block lists follow.
"""

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.audit.services import audit_record
from apps.core.hashing import pseudonym
from apps.reports.models import ReportChange

from .models import Override, OverrideKind

logger = logging.getLogger(__name__)

# Kinds whose label phones show instead of the crowd's category.
LABELLED_KINDS = frozenset({OverrideKind.ALLOW, OverrideKind.IDENTIFY})


def override_state(override: Override | None) -> dict[str, Any] | None:
    """The JSON an audit record keeps of an override, or None for no override."""
    if override is None:
        return None

    return {
        "id": override.pk,
        "number": override.number,
        "kind": override.kind,
        "label": override.label,
        "reason": override.reason,
        "created_at": override.created_at.isoformat(),
        "created_by": override.created_by_id,
        "lifted_at": override.lifted_at.isoformat() if override.lifted_at else None,
        "lifted_by": override.lifted_by_id,
    }


def override_active(*, number: str) -> Override | None:
    return Override.objects.filter(number=number, lifted_at__isnull=True).first()


def _active_for_update(number: str) -> Override | None:
    return (
        Override.objects.select_for_update()
        .filter(number=number, lifted_at__isnull=True)
        .first()
    )


def _validate(*, number: str, kind: str, label: str, reason: str) -> None:
    errors: dict[str, str] = {}
    if not number.startswith("+") or not number[1:].isdigit():
        errors["number"] = "Give the number in E.164 form, e.g. +14155552671."
    if kind not in OverrideKind.values:
        errors["kind"] = f"Choose one of: {', '.join(OverrideKind.values)}."
    if kind in LABELLED_KINDS and not label.strip():
        errors["label"] = "Allow and identify overrides need the name phones show."
    if not reason.strip():
        errors["reason"] = "Say why: the audit log keeps it."
    if errors:
        raise ValidationError(errors)


def override_set(
    *,
    number: str,
    kind: str,
    label: str,
    reason: str,
    actor: AbstractBaseUser | None,
    now: datetime,
) -> Override:
    """Put ``kind`` on ``number``, replacing (lifting) any active override."""
    label = label.strip()
    _validate(number=number, kind=kind, label=label, reason=reason)

    try:
        with transaction.atomic():
            previous = _active_for_update(number)
            before = override_state(previous)
            if previous is not None:
                previous.lifted_at = now
                previous.lifted_by = actor
                previous.save(update_fields=["lifted_at", "lifted_by"])
            override = Override.objects.create(
                number=number,
                kind=kind,
                label=label,
                reason=reason,
                created_by=actor,
                created_at=now,
            )
            audit_record(
                actor=actor,
                action="override.set",
                target_type="override",
                target_id=override.pk,
                number=number,
                before=before,
                after=override_state(override),
                reason=reason,
                now=now,
            )
            ReportChange.objects.create(number=number)
    except IntegrityError as exc:
        # Another reviewer set an override on this number at the same moment.
        raise ValidationError(
            "The number's override changed meanwhile; reload and try again."
        ) from exc

    logger.info(
        "override set",
        extra={"number": pseudonym(number), "kind": kind, "override_id": override.pk},
    )
    return override


def override_lift(
    *,
    number: str,
    actor: AbstractBaseUser | None,
    reason: str,
    now: datetime,
) -> Override | None:
    """Lift the active override on ``number``; None when there was none."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the audit log keeps it."})

    with transaction.atomic():
        override = _active_for_update(number)
        if override is None:
            return None

        before = override_state(override)
        override.lifted_at = now
        override.lifted_by = actor
        override.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            actor=actor,
            action="override.lift",
            target_type="override",
            target_id=override.pk,
            number=number,
            before=before,
            after=override_state(override),
            reason=reason,
            now=now,
        )
        ReportChange.objects.create(number=number)

    logger.info(
        "override lifted",
        extra={"number": pseudonym(number), "override_id": override.pk},
    )
    return override
