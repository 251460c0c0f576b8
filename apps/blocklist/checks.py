"""System checks for the block-list and push settings."""

import re

from django.conf import settings
from django.core.checks import Error, register

_TOPIC = re.compile(r"[a-zA-Z0-9\-_.~%]+")


@register()
def check_blocklist_settings(app_configs, **kwargs):
    problems = []
    if settings.BLOCKLIST_MAX_ENTRIES < 1:
        problems.append(
            Error(
                f"BLOCKLIST_MAX_ENTRIES is {settings.BLOCKLIST_MAX_ENTRIES}.",
                hint="Set it to the most entries a region's list may hold.",
                id="callguard.E101",
            )
        )
    if any(size < 1 for size in settings.BLOCKLIST_LIMIT_TIERS):
        problems.append(
            Error(
                f"BLOCKLIST_LIMIT_TIERS has a size below 1: "
                f"{settings.BLOCKLIST_LIMIT_TIERS}.",
                hint="List positive sizes, e.g. 10000,50000,100000.",
                id="callguard.E102",
            )
        )
    if settings.BLOCKLIST_DELTA_RETENTION < 1:
        problems.append(
            Error(
                "BLOCKLIST_DELTA_RETENTION is below 1: no phone could get a delta.",
                hint="Keep at least one version's delta (default 500).",
                id="callguard.E103",
            )
        )
    if not _TOPIC.fullmatch(settings.PUSH_TOPIC_PREFIX + "US"):
        problems.append(
            Error(
                f"PUSH_TOPIC_PREFIX {settings.PUSH_TOPIC_PREFIX!r} makes invalid "
                "FCM topic names.",
                hint="Use letters, digits and - _ . ~ % only.",
                id="callguard.E104",
            )
        )
    return problems
