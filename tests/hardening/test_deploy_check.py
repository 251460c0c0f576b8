"""`manage.py check --deploy` is clean under production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _check_deploy(**overrides: str | None) -> subprocess.CompletedProcess:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "api.callguard.example",
            "DATABASE_URL": "postgres://callguard@db.internal:5432/callguard",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "METRICS_TOKEN": secrets.token_urlsafe(24),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DATA_DIR": str(REPO / "var"),
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_COOKIES": "false"}, "security.W012"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"METRICS_TOKEN": ""}, "callguard.W003"),
        ({"EMAIL_BACKEND": None}, "callguard.W004"),
        ({"REDIS_URL": None}, "callguard.W001"),
    ],
)
def test_check_deploy_catches_a_weakened_setting(override, warning):
    result = _check_deploy(**override)

    assert result.returncode != 0
    assert warning in result.stdout + result.stderr
