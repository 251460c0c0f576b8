import pytest

from tests.disputes.helpers import make_reviewer


@pytest.fixture
def reviewer(db):
    return make_reviewer()
