"""Logging a backing service that is down, without flooding the log.

While Redis is down every request falls back, and a warning with a traceback
per request would bury everything else. The first failure of each kind is a
warning with its traceback; repeats within the interval go to DEBUG.
"""

import logging
import time

INTERVAL_SECONDS = 30.0

_last_warned: dict[str, float] = {}


def log_unavailable(logger: logging.Logger, message: str, **extra) -> None:
    """Log ``message`` (an exception is being handled) at most once per
    interval as a warning."""
    now = time.monotonic()
    if now - _last_warned.get(message, float("-inf")) >= INTERVAL_SECONDS:
        _last_warned[message] = now
        logger.warning(message, extra=extra, exc_info=True)
    else:
        logger.debug(message, extra=extra)


def log_unavailable_reset() -> None:
    """Warn again at the next failure (tests; an operator after a fix)."""
    _last_warned.clear()
