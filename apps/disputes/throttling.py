"""Hard limits on filing disputes: per client address and per number.

The per-number limit stops a flood of filings about one number from many
addresses; its key is a pseudonym of the E.164 form, never the number.
"""

import re

from django.conf import settings

from apps.core.throttling import FailOpenRateThrottle, IPRateThrottle
from apps.numbers.selectors import caller_id

_REGION_RE = re.compile(r"[A-Za-z]{2}")


class DisputeIPRateThrottle(IPRateThrottle):
    scope = "dispute_ip"
    methods = frozenset({"POST"})


class DisputeNumberRateThrottle(FailOpenRateThrottle):
    scope = "dispute_number"
    methods = frozenset({"POST"})

    def ident(self, request) -> str | None:
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("number"), str):
            return None  # The serializer turns this request away.

        region = data.get("region")
        if not isinstance(region, str) or not _REGION_RE.fullmatch(region):
            region = settings.DEFAULT_REGION
        parsed = caller_id(data["number"], region.upper())
        return f"number:{parsed.e164}" if parsed.is_valid else None
