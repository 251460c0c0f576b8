"""Disputes: filing, review and decision.

open -> in_review -> upheld | rejected. A decision can also be taken straight
from open; the reviewer who takes it is then stamped as the reviewer too.
Each change locks the dispute row, stamps who and when, and writes an audit
record in the same transaction. Upholding puts an override on the number,
which the next aggregation run turns into the new verdict.
"""

import dataclasses
import hashlib
import logging
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.audit.services import audit_record
from apps.core.hashing import pseudonym
from apps.core.queue import enqueue
from apps.reputation.overrides import override_set

from .emails import filing_email_send
from .models import OPEN_STATUSES, Dispute, DisputeContact, DisputeStatus
from .tasks import send_decision_email_task

logger = logging.getLogger(__name__)

# Crockford's base-32 digits without 0, 1, I, L, O and U: a reference read out
# over the phone cannot be misheard or misread.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
SECRET_BYTES = 24
_FILE_ATTEMPTS = 3


@dataclasses.dataclass(frozen=True)
class FiledDispute:
    dispute: Dispute
    contact: DisputeContact
    secret: str  # Shown once; only its hash is stored.
    joined: bool  # True when the filing joined a dispute already open.


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _reference_new() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"D-{code}"


def _state(dispute: Dispute) -> dict[str, Any]:
    """What an audit record keeps of a dispute (nothing about its contacts)."""
    return {
        "reference": dispute.reference,
        "status": dispute.status,
        "reviewer": dispute.reviewer_id,
        "decided_by": dispute.decided_by_id,
        "decision_kind": dispute.decision_kind,
        "decision_label": dispute.decision_label,
        "public_reason": dispute.public_reason,
        "override": dispute.override_id,
    }


def _audit(
    *,
    dispute: Dispute,
    action: str,
    before: dict[str, Any] | None,
    actor: AbstractBaseUser | None,
    reason: str,
    now: datetime,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="dispute",
        target_id=dispute.pk,
        number=dispute.number,
        before=before,
        after=_state(dispute),
        reason=reason,
        now=now,
    )


def dispute_file(
    *,
    number: str,
    region: str,
    name: str,
    email: str,
    organization: str,
    reason: str,
    now: datetime,
) -> FiledDispute:
    """File a dispute on ``number`` (E.164), or join the one already open.

    Each filer gets their own secret status link to the shared dispute and an
    email with it once the filing is committed.
    """
    secret = secrets.token_urlsafe(SECRET_BYTES)
    for attempt in range(_FILE_ATTEMPTS):
        try:
            with transaction.atomic():
                dispute = (
                    Dispute.objects.select_for_update()
                    .filter(number=number, status__in=OPEN_STATUSES)
                    .first()
                )
                joined = dispute is not None
                if dispute is None:
                    dispute = Dispute.objects.create(
                        reference=_reference_new(),
                        number=number,
                        region=region,
                        created_at=now,
                    )
                contact = DisputeContact.objects.create(
                    dispute=dispute,
                    name=name,
                    email=email,
                    organization=organization,
                    reason=reason,
                    secret_hash=secret_hash(secret),
                    created_at=now,
                )
                _audit(
                    dispute=dispute,
                    action="dispute.join" if joined else "dispute.file",
                    before=None,
                    actor=None,
                    reason=f"Filed by contact {contact.pk}",
                    now=now,
                )
                transaction.on_commit(
                    lambda c=contact: filing_email_send(contact=c, secret=secret)
                )
            break
        except IntegrityError:
            # A concurrent filing opened the number's dispute first (the next
            # attempt joins it), or the new reference was taken.
            if attempt == _FILE_ATTEMPTS - 1:
                raise

    logger.info(
        "dispute filed",
        extra={
            "dispute": dispute.reference,
            "number": pseudonym(number),
            "joined": joined,
        },
    )
    return FiledDispute(dispute=dispute, contact=contact, secret=secret, joined=joined)


def dispute_for_secret(*, secret: str) -> Dispute | None:
    contact = (
        DisputeContact.objects.select_related("dispute")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    return contact.dispute if contact is not None else None


def _locked(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


def _require(dispute: Dispute, allowed: tuple[str, ...], verb: str) -> None:
    if dispute.status not in allowed:
        raise ValidationError(
            f"Dispute {dispute.reference} is {dispute.get_status_display().lower()}"
            f" and cannot be {verb}.",
            code="invalid_state",
        )


def _require_reason(public_reason: str) -> None:
    if not public_reason.strip():
        raise ValidationError(
            {"public_reason": "The disputants are told why: give a public reason."}
        )


def dispute_take_in_review(
    *, dispute: Dispute, actor: AbstractBaseUser, now: datetime
) -> Dispute:
    with transaction.atomic():
        dispute = _locked(dispute)
        _require(dispute, (DisputeStatus.OPEN,), "taken in review")

        before = _state(dispute)
        dispute.status = DisputeStatus.IN_REVIEW
        dispute.review_started_at = now
        dispute.reviewer = actor
        dispute.save(update_fields=["status", "review_started_at", "reviewer"])
        _audit(
            dispute=dispute,
            action="dispute.review",
            before=before,
            actor=actor,
            reason="",
            now=now,
        )

    logger.info("dispute in review", extra={"dispute": dispute.reference})
    return dispute


def _decide(
    dispute: Dispute,
    *,
    status: str,
    public_reason: str,
    actor: AbstractBaseUser,
    now: datetime,
) -> None:
    if dispute.review_started_at is None:
        dispute.review_started_at = now
        dispute.reviewer = actor
    dispute.status = status
    dispute.public_reason = public_reason
    dispute.decided_at = now
    dispute.decided_by = actor
    dispute.save()
    _send_decision_email(dispute)


def _send_decision_email(dispute: Dispute) -> None:
    enqueue(send_decision_email_task, dispute.pk)


def dispute_uphold(
    *,
    dispute: Dispute,
    kind: str,
    label: str,
    public_reason: str,
    actor: AbstractBaseUser,
    now: datetime,
) -> Dispute:
    """Agree with the disputants: put a ``kind`` override on the number."""
    public_reason = public_reason.strip()
    _require_reason(public_reason)

    with transaction.atomic():
        dispute = _locked(dispute)
        _require(dispute, OPEN_STATUSES, "upheld")

        before = _state(dispute)
        override = override_set(
            number=dispute.number,
            kind=kind,
            label=label,
            reason=f"Dispute {dispute.reference} upheld: {public_reason}",
            actor=actor,
            now=now,
        )
        dispute.override = override
        dispute.decision_kind = override.kind
        dispute.decision_label = override.label
        _decide(
            dispute,
            status=DisputeStatus.UPHELD,
            public_reason=public_reason,
            actor=actor,
            now=now,
        )
        _audit(
            dispute=dispute,
            action="dispute.uphold",
            before=before,
            actor=actor,
            reason=public_reason,
            now=now,
        )

    logger.info("dispute upheld", extra={"dispute": dispute.reference, "kind": kind})
    return dispute


def dispute_reject(
    *, dispute: Dispute, public_reason: str, actor: AbstractBaseUser, now: datetime
) -> Dispute:
    """Keep the crowd's verdict on the number."""
    public_reason = public_reason.strip()
    _require_reason(public_reason)

    with transaction.atomic():
        dispute = _locked(dispute)
        _require(dispute, OPEN_STATUSES, "rejected")

        before = _state(dispute)
        _decide(
            dispute,
            status=DisputeStatus.REJECTED,
            public_reason=public_reason,
            actor=actor,
            now=now,
        )
        _audit(
            dispute=dispute,
            action="dispute.reject",
            before=before,
            actor=actor,
            reason=public_reason,
            now=now,
        )

    logger.info("dispute rejected", extra={"dispute": dispute.reference})
    return dispute
