"""Writes to the audit log. Records are only ever added, never changed."""

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .models import AuditRecord

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target_type: str,
    target_id: str | int,
    number: str = "",
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
    now: datetime,
) -> AuditRecord:
    """Record that ``actor`` did ``action`` to a target, from ``before`` to
    ``after``, because of ``reason``. Call it inside the transaction of the
    change it describes, so the two commit or fail together."""
    record = AuditRecord.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else SYSTEM_ACTOR,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        number=number,
        before=before,
        after=after,
        reason=reason,
        created_at=now,
    )
    logger.info(
        "audit record written",
        extra={
            "audit_id": record.pk,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
        },
    )
    return record
