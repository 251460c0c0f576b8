"""Settings come from the environment and fail loudly when they are wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
    "s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.PUSH_BACKEND)"
)


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    """Load the production settings module in a fresh interpreter."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"}
        and not k.startswith("DJANGO_")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_variables_but_debug_gives_the_embedded_default(tmp_path):
    result = _settings_with(DEBUG="true", DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "True",
        "log",
    ]


def test_debug_is_off_unless_asked(tmp_path):
    result = _settings_with(SECRET_KEY="k" * 50, DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3] == "False"


def test_a_missing_secret_key_stops_start_up_when_debug_is_off(tmp_path):
    result = _settings_with(DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_database_and_redis_urls_select_the_real_services(tmp_path):
    result = _settings_with(
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    engine, cache, eager = result.stdout.split()[:3]
    assert engine == "django.db.backends.postgresql"
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert eager == "False"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "postgres//missing-colon"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "postgres://"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
    ],
)
def test_a_malformed_url_is_a_clear_start_up_error(name, value):
    result = _settings_with(SECRET_KEY="k" * 50, **{name: value})

    assert result.returncode != 0
    assert f"{name} is malformed" in result.stderr
