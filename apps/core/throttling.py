"""Rate limits kept in the shared cache, which never take the API down.

Each limit is a fixed window: one counter per scope, client and window. On
Redis it is raised, and given its expiry when new, by one atomic script call
(one round trip: the lookup runs while a phone rings); other caches use
``add`` then ``incr``. A client can fit up to twice its rate across a window
boundary; that is the accepted price of the cheap, atomic counter.

When the cache fails (Redis down or timing out) the limit is skipped with a
warning: a phone must still be able to file a report or look a number up.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read on every
request rather than once at import as DRF's ``SimpleRateThrottle`` does, so
``override_settings`` in tests (and nothing else) changes them.
"""

import logging
import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .degraded import log_unavailable
from .hashing import pseudonym

logger = logging.getLogger(__name__)

_INCR_WITH_EXPIRY = (
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n"
)


class FailOpenRateThrottle(SimpleRateThrottle):
    """Base class: a fixed-window counter that allows when the cache fails.

    Subclasses set ``scope`` and implement ``ident(request)``; returning
    ``None`` leaves the request unlimited. ``methods`` restricts the limit to
    some HTTP methods (``None``: all).
    """

    cache = default_cache
    methods: frozenset[str] | None = None

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope)

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str | None:
        if self.methods is not None and request.method not in self.methods:
            return None
        ident = self.ident(request)
        if ident is None:
            return None
        return f"throttle:{self.scope}:{pseudonym(ident)}"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True

        now = self.timer()
        window = int(now // self.duration)
        self.retry_after = (window + 1) * self.duration - now
        try:
            count = self._hit(f"{key}:{window}")
        except Exception:
            log_unavailable(
                logger,
                "rate-limit cache unavailable; allowing the request",
                scope=self.scope,
            )
            return True

        return count <= self.num_requests

    def _hit(self, key: str) -> int:
        # The counter outlives its window by a second so a slow clock on
        # another worker still finds it.
        timeout = int(self.duration) + 1
        backend = self.cache
        if backend is default_cache:  # A proxy to the configured backend.
            backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            full_key = backend.make_and_validate_key(key)
            # Django's generic cache API cannot run a script; its Redis
            # backend keeps the client behind ``_cache``.
            client = backend._cache.get_client(full_key, write=True)
            script = client.register_script(_INCR_WITH_EXPIRY)
            return int(script(keys=[full_key], args=[timeout]))

        if self.cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return self.cache.incr(key)
        except ValueError:  # Expired between add and incr: a new window.
            self.cache.add(key, 1, timeout=timeout)
            return 1

    def wait(self) -> float:
        return max(1, math.ceil(self.retry_after))


class DeviceRateThrottle(FailOpenRateThrottle):
    """Every request of one device, whatever it asks."""

    scope = "device"

    def ident(self, request) -> str | None:
        device_id = getattr(request.user, "id", None)
        return f"device:{device_id}" if device_id is not None else None


class IPRateThrottle(FailOpenRateThrottle):
    """Every request from one client address.

    The address is the socket's, or the last ``TRUSTED_PROXY_COUNT`` hop of
    ``X-Forwarded-For`` (DRF's ``NUM_PROXIES``): a header the client wrote
    itself changes nothing unless a trusted proxy is configured.
    """

    scope = "ip"

    def ident(self, request) -> str | None:
        address = self.get_ident(request)
        return f"ip:{address}" if address else None


class RegisterRateThrottle(IPRateThrottle):
    """Device registrations from one client address."""

    scope = "register"
    methods = frozenset({"POST"})


class ReportRateThrottle(DeviceRateThrottle):
    """Reports filed by one device."""

    scope = "report"
    methods = frozenset({"POST"})
