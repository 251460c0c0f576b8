"""Fixtures shared by the whole suite.

The same suite runs on the embedded default (SQLite, local-memory cache) and
on PostgreSQL with Redis (``DATABASE_URL`` and ``REDIS_URL`` set, as in CI).
Tests marked ``postgres`` or ``redis`` need the real service and are skipped
without it, except under CI, where a missing service is a failure.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.degraded import log_unavailable_reset
from apps.devices.auth import token_new
from apps.devices.models import Device

ON_CI = os.environ.get("CI", "").lower() == "true"


def _db_vendor() -> str:
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    name = db.get("NAME")
    where = f"{db.get('HOST') or 'local'}:{db.get('PORT') or '-'}"
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        f"database: {_db_vendor()} ({name} at {where}; tests use a test_ copy)",
        f"cache: {cache_backend}; redis: {'yes' if settings.REDIS_URL else 'no'}",
    ]


def pytest_collection_modifyitems(config, items):
    if ON_CI:
        return  # Under CI every service is there; a missing one must fail.
    missing = []
    if _db_vendor() != "postgresql":
        missing.append(("postgres", "needs PostgreSQL: set DATABASE_URL"))
    if not settings.REDIS_URL:
        missing.append(("redis", "needs Redis: set REDIS_URL"))
    for marker, why in missing:
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(autouse=True)
def _clean_cache():
    log_unavailable_reset()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An API client with no credentials."""
    return APIClient()


def make_device(**fields) -> tuple[Device, str]:
    """A registered device and its secret token, straight into the database."""
    secret, hashed = token_new()
    now = timezone.now()
    values = {
        "platform": "android",
        "region": "US",
        "app_version": "1.0.0",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    device = Device.objects.create(token_hash=hashed, **values)
    return device, secret


@pytest.fixture
def device_and_token(db):
    return make_device()


@pytest.fixture
def device(device_and_token):
    return device_and_token[0]


@pytest.fixture
def phone(device_and_token):
    """An API client authenticated as a registered device."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {device_and_token[1]}")
    return client


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
