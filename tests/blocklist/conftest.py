"""Fixtures of the block-list tests."""

import pytest


@pytest.fixture
def tiers(settings):
    """Small tiers, so a handful of numbers fill them."""
    settings.BLOCKLIST_MAX_ENTRIES = 6
    settings.BLOCKLIST_LIMIT_TIERS = [2, 4]
    return [2, 4, 6]
