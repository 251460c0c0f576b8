"""Enqueue Celery tasks after the transaction commits, without ever failing
the request that asked: a broker outage is logged, not raised. Work that must
not be lost is driven from the database (aggregation reads its change log),
so a missed message is caught up by the next scheduled run.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            logger.warning(
                "could not enqueue task; it will be caught up later",
                extra={"task": task.name},
                exc_info=True,
            )

    transaction.on_commit(send)
