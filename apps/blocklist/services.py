"""Block-list versions. Being written (issue 5): this placeholder keeps the
aggregation's call site importable until the real service lands."""

from collections.abc import Iterable
from datetime import datetime


def blocklist_update(*, numbers: Iterable[str], now: datetime) -> list:
    return []
