"""Background work for disputes."""

import logging
import smtplib

from celery import shared_task

from .emails import decision_email_send
from .models import Dispute

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def send_decision_email_task(dispute_id: int) -> int:
    """Tell a dispute's contacts about its decision; safe to run twice."""
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    if dispute is None or dispute.is_open:
        logger.warning("no decision to mail", extra={"dispute_id": dispute_id})
        return 0

    return decision_email_send(dispute=dispute)
