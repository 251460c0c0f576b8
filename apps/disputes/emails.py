"""The emails a disputant receives: on filing (with the status link) and on
decision. Never anything a reviewer wrote for other reviewers."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Dispute, DisputeContact

logger = logging.getLogger(__name__)


def dispute_status_url(secret: str) -> str:
    path = reverse("dispute-status", kwargs={"secret": secret})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def filing_email_send(*, contact: DisputeContact, secret: str) -> None:
    """Mail the filer their reference and secret link, once it is committed.

    Sent from the request rather than a task: the secret exists only in this
    process and must not travel through the broker. A mail failure is logged
    and never fails the filing: the answer carries the same link.
    """
    dispute = contact.dispute
    context = {
        "contact": contact,
        "dispute": dispute,
        "status_url": dispute_status_url(secret),
    }
    try:
        send_mail(
            subject=f"Your dispute {dispute.reference} was received",
            message=render_to_string("disputes/email/filed.txt", context),
            from_email=None,
            recipient_list=[contact.email],
        )
    except Exception:
        logger.warning(
            "filing email not sent",
            extra={"dispute": dispute.reference, "contact_id": contact.pk},
            exc_info=True,
        )


def decision_email_send(*, dispute: Dispute) -> int:
    """Mail every contact not yet told about the decision; the count sent.

    Each contact is stamped as it is mailed, so a retry after a failure
    mails only those left.
    """
    sent = 0
    subject = f"Decision on your dispute {dispute.reference}"
    for contact in dispute.contacts.filter(decision_mailed_at__isnull=True):
        context = {"contact": contact, "dispute": dispute}
        send_mail(
            subject=subject,
            message=render_to_string("disputes/email/decided.txt", context),
            from_email=None,
            recipient_list=[contact.email],
        )
        contact.decision_mailed_at = timezone.now()
        contact.save(update_fields=["decision_mailed_at"])
        sent += 1
    return sent
