import logging
from types import SimpleNamespace

from apps.core import degraded
from apps.core.degraded import log_unavailable

logger = logging.getLogger("tests.degraded")


def _fail_and_log(times: int) -> None:
    for _ in range(times):
        try:
            raise ConnectionError("redis is down")
        except ConnectionError:
            log_unavailable(logger, "cache unavailable", scope="device")


def test_an_outage_is_one_warning_with_its_traceback_not_one_per_request(caplog):
    caplog.set_level(logging.DEBUG, logger="tests.degraded")

    _fail_and_log(50)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].exc_info is not None
    assert warnings[0].scope == "device"
    assert sum(r.levelno == logging.DEBUG for r in caplog.records) == 49


def test_the_warning_comes_back_after_the_interval(caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="tests.degraded")
    clock = iter([100.0, 110.0, 131.0])
    # Only this module's clock: patching time.monotonic itself would move
    # every clock in the process.
    monkeypatch.setattr(
        degraded, "time", SimpleNamespace(monotonic=lambda: next(clock))
    )

    _fail_and_log(3)

    assert len(caplog.records) == 2
