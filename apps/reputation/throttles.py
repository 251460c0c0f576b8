"""The lookup's rate limit."""

from apps.core.throttling import DeviceRateThrottle


class LookupRateThrottle(DeviceRateThrottle):
    """Lookups of one device: a phone rings far more often than it reports."""

    scope = "lookup"
