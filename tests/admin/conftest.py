import pytest
from django.test import Client

from tests.disputes.helpers import make_reviewer, make_superuser


@pytest.fixture
def reviewer(db):
    return make_reviewer()


@pytest.fixture
def reviewer_client(reviewer):
    """The admin, as a staff member of the reviewer group (not a superuser)."""
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(make_superuser())
    return client
