import pytest

from tests.conftest import make_device
from tests.reports.bodies import client_for


@pytest.fixture
def other_phone(db):
    """A second registered device and its client."""
    device, secret = make_device()
    return device, client_for(secret)
