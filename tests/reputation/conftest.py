import pytest

from apps.numbers.selectors import inactive_area_codes_forget
from apps.reputation.cache import cache_reset


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Per-process memories of the lookup path start empty in every test."""
    cache_reset()
    inactive_area_codes_forget()
    yield
    cache_reset()
    inactive_area_codes_forget()
