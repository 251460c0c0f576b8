"""System checks for settings that are dangerous when wrong."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_push_backend(app_configs, **kwargs):
    problems = []
    if settings.PUSH_BACKEND not in {"log", "firebase"}:
        problems.append(
            Error(
                f"PUSH_BACKEND is {settings.PUSH_BACKEND!r}.",
                hint="Set PUSH_BACKEND to 'log' or 'firebase'.",
                id="callguard.E001",
            )
        )
    if settings.PUSH_BACKEND == "firebase" and not settings.FIREBASE_CREDENTIALS_FILE:
        problems.append(
            Error(
                "PUSH_BACKEND is 'firebase' but no credentials are configured.",
                hint="Set FIREBASE_CREDENTIALS_FILE to a service-account JSON file.",
                id="callguard.E002",
            )
        )
    return problems


@register(deploy=True)
def check_services(app_configs, **kwargs):
    problems = []
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: cache is per-process and tasks run in-process.",
                hint="Set REDIS_URL in production.",
                id="callguard.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "The database is SQLite.",
                hint="Set DATABASE_URL to PostgreSQL in production.",
                id="callguard.W002",
            )
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append(
            Warning(
                "Email goes to the console: disputants get no mail and their "
                "status links land in the log.",
                hint="Set EMAIL_BACKEND to the SMTP backend and EMAIL_HOST.",
                id="callguard.W004",
            )
        )
    if not settings.METRICS_TOKEN:
        problems.append(
            Warning(
                "METRICS_TOKEN is not set: /metrics answers staff sessions only.",
                hint="Set METRICS_TOKEN for the Prometheus scraper.",
                id="callguard.W003",
            )
        )
    return problems
