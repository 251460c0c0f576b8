"""Aggregation in the background, driven by the beat schedule.

Both tasks are safe to run twice and at once: a run that finds another
holding the lock answers "busy", and every run recomputes from scratch what
the change log names. ``acks_late`` with ``reject_on_worker_lost`` puts the
message back when a worker dies halfway; the half-done run was rolled back
with its connection, so the redelivered one starts clean.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from apps.core.queue import enqueue

from .services import reports_aggregate, reputations_recompute_all

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=300,
    time_limit=330,
    ignore_result=True,
)
def aggregate_reports_task() -> dict:
    """Fold new and retracted reports into reputations; when the change log
    holds more than one run takes, queue the next run at once."""
    summary = reports_aggregate()
    if summary.more:
        enqueue(aggregate_reports_task)
    return summary.as_dict()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=3,
    # Below the broker's visibility timeout (one hour), or the message would
    # be handed to a second worker while the first is still on it.
    soft_time_limit=3000,
    time_limit=3300,
    ignore_result=True,
)
def recompute_all_reputations_task() -> dict:
    """The daily full recompute: decay with time, then device trust."""
    return reputations_recompute_all().as_dict()
