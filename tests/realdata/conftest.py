"""The real public samples in ``../shared/data`` (or ``$SHARED_DATA_DIR``).

Tests that read them skip with a reason when the folder or a file is missing,
except under CI (``CI=true``), where a missing file is a failure: CI always
has the data beside the clone, so its absence means the setup broke.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from apps.numbers.selectors import inactive_area_codes_forget

ON_CI = os.environ.get("CI", "").lower() == "true"


def shared_data_file(name: str) -> Path:
    """The path of ``name`` in the shared data folder, or skip (fail on CI)."""
    path = Path(settings.SHARED_DATA_DIR) / name
    if not path.is_file():
        why = f"real data file {name} not found in {settings.SHARED_DATA_DIR}"
        if ON_CI:
            pytest.fail(f"{why} (under CI the shared data must be there)")
        pytest.skip(f"{why}; set SHARED_DATA_DIR to run this test")
    return path


@pytest.fixture(autouse=True)
def _fresh_area_codes():
    """Each test sees its own area-code table, not a set cached by another."""
    inactive_area_codes_forget()
    yield
    inactive_area_codes_forget()


@pytest.fixture
def full_fields_file() -> Path:
    """1,100 FTC complaints in the full daily format (22 days of 2021)."""
    return shared_data_file("ftc_dnc_api_fullfields_2021-02-02_to_2021-03-01.csv")


@pytest.fixture
def full_week_file() -> Path:
    """93,199 FTC complaints of one week, in the reduced four-column format."""
    return shared_data_file("ftc_dnc_api_numbers_fullweek_2021-03-15_to_2021-03-21.csv")


@pytest.fixture
def nanpa_file() -> Path:
    """NANPA's area-code report of 26 November 2025 (481 codes in service)."""
    return shared_data_file("nanpa_npa_report_2025-11-26.csv")
