"""The lookup's rate limit, in one cache round trip on Redis."""

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache

from apps.core.throttling import DeviceRateThrottle


class LookupRateThrottle(DeviceRateThrottle):
    """Lookups of one device: a phone rings far more often than it reports.

    On Redis the window's counter is raised, and given its expiry when new,
    by one atomic script call (``INCR``, then ``EXPIRE`` on the first hit)
    instead of ``add`` plus ``incr`` (three commands through Django's cache
    API): the lookup is the hot path. Other caches take the generic way.
    """

    scope = "lookup"
    _SCRIPT = (
        "local n = redis.call('INCR', KEYS[1]) "
        "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
        "return n"
    )

    def _hit(self, key: str) -> int:
        backend = self.cache
        if backend is default_cache:  # A proxy to the configured backend.
            backend = caches[DEFAULT_CACHE_ALIAS]
        if not isinstance(backend, RedisCache):
            return super()._hit(key)

        full_key = backend.make_and_validate_key(key)
        # Django's Redis backend keeps its client behind ``_cache``; its
        # generic API cannot run a script.
        client = backend._cache.get_client(full_key, write=True)
        count = client.register_script(self._SCRIPT)(
            keys=[full_key], args=[int(self.duration) + 1]
        )
        return int(count)
