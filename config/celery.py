"""The Celery app, and the beat schedule in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("callguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Fold new and retracted reports into reputations, publish block-list
    # versions and push them: phones see a new campaign within minutes.
    "aggregate-reports": {
        "task": "apps.reputation.tasks.aggregate_reports_task",
        "schedule": float(os.environ.get("AGGREGATE_EVERY_SECONDS", "60")),
    },
    # Recompute every reputation once a day: scores decay with age even when
    # no new report arrives, and device trust moves with its track record.
    "recompute-all-reputations": {
        "task": "apps.reputation.tasks.recompute_all_reputations_task",
        "schedule": crontab(hour=3, minute=17),
    },
}
