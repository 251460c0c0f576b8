"""Settings read from the environment.

With no variables set the service runs on the embedded default: SQLite in
``var/``, an in-process cache, Celery tasks run in-process and push messages
written to the log. ``DATABASE_URL``, ``REDIS_URL`` and the Firebase variables
switch each part to the real thing; ``.env.example`` lists every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(environ.Env().str("DATA_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if env.bool("READ_DOT_ENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env")


def _url(name: str, *, schemes: set[str], default: str | None = None) -> str | None:
    """Return the URL in ``name``, failing at start-up when it is malformed."""
    value = env.str(name, default=default)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or (
        parts.scheme not in {"sqlite"} and not parts.hostname
    ):
        raise ImproperlyConfigured(
            f"{name} is malformed: expected {' or '.join(sorted(schemes))}://host..., "
            f"got scheme {parts.scheme!r}"
        )
    return value


# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(set DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-local-development-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us: no CDN at run time.
    "django_prometheus",
    "apps.core",
    "apps.numbers",
    "apps.devices",
    "apps.reports",
    "apps.lists",
    "apps.reputation",
    "apps.audit",
    "apps.blocklist",
    "apps.push",
    "apps.disputes",
    "apps.ftc",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.JsonApiErrorsMiddleware",
    "apps.core.middleware.RequestSizeLimitMiddleware",
    "apps.core.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
# A POST to /api/v1/reports (no slash) must not be redirected: the redirect
# drops the body. Without the slash it is a plain JSON 404.
APPEND_SLASH = False
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASE_URL = _url(
    "DATABASE_URL",
    schemes={"sqlite", "postgres", "postgresql", "pgsql"},
    default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # A busy SQLite file waits for the writer instead of failing at once:
    # transactions take the write lock when they begin (a read that later
    # writes cannot then be refused), and WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=3)}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker -----------------------------------------

REDIS_URL = _url("REDIS_URL", schemes={"redis", "rediss"}, default=None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cg"),
            "OPTIONS": {
                # A ringing phone cannot wait for a dead Redis: fail fast and
                # let the caller fall back to the database.
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.25,
                "retry_on_timeout": False,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "callguard",
        }
    }

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when the broker is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1}
# The beat schedule lives in config/celery.py.

# --- Auth, i18n, static -----------------------------------------------------

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# --- Email ------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="disputes@callguard.invalid")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# --- HTTP hardening ---------------------------------------------------------

# Request bodies: a report or a batch lookup is a few kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=64 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading commits the whole domain to HTTPS in browsers for months; that
# is the domain owner's call (SECURE_HSTS_PRELOAD=true), not a deploy defect.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto only when asked.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Number of proxies in front of the app whose X-Forwarded-For entries are
# trusted. 0: the client address is the socket's, whatever a client sends.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- REST framework and schema ----------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.devices.auth.DeviceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.devices.auth.IsDevice"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttling.DeviceRateThrottle",
        "apps.core.throttling.IPRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "device": env.str("THROTTLE_DEVICE", default="120/min"),
        "ip": env.str("THROTTLE_IP", default="600/min"),
        "register": env.str("THROTTLE_REGISTER", default="20/hour"),
        "report": env.str("THROTTLE_REPORT", default="30/hour"),
        "lookup": env.str("THROTTLE_LOOKUP", default="600/min"),
        "dispute_ip": env.str("THROTTLE_DISPUTE_IP", default="5/hour"),
        "dispute_number": env.str("THROTTLE_DISPUTE_NUMBER", default="3/day"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CallGuard API",
    "DESCRIPTION": (
        "Lookups, spam reports, personal lists, block-list sync and disputes "
        "for the CallGuard robocall-blocking apps."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One stable name per shared choice set (several serializers use them).
    "ENUM_NAME_OVERRIDES": {
        "ReportCategoryEnum": "apps.reports.models.Category",
        "ListActionEnum": "apps.lists.models.Action",
    },
}

# --- Product settings -------------------------------------------------------

# Phone numbers
DEFAULT_REGION = env.str("DEFAULT_REGION", default="US")

# Reports
REPORT_MAX_AGE_DAYS = env.int("REPORT_MAX_AGE_DAYS", default=30)
REPORT_CLOCK_SKEW_SECONDS = env.int("REPORT_CLOCK_SKEW_SECONDS", default=300)
REPORT_COMMENT_MAX_LENGTH = env.int("REPORT_COMMENT_MAX_LENGTH", default=500)
LIST_PREFIX_MIN_DIGITS = env.int("LIST_PREFIX_MIN_DIGITS", default=6)
LIST_MAX_ENTRIES = env.int("LIST_MAX_ENTRIES", default=1000)

# Push
PUSH_BACKEND = env.str("PUSH_BACKEND", default="log")  # "log" or "firebase"
FIREBASE_CREDENTIALS_FILE = env.str(
    "FIREBASE_CREDENTIALS_FILE",
    default=env.str("GOOGLE_APPLICATION_CREDENTIALS", default=""),
)
FIREBASE_PROJECT_ID = env.str("FIREBASE_PROJECT_ID", default="")

# Metrics: /metrics answers only requests bearing this token (or staff).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text")  # "text" or "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "apps.core.logging.KeyValueFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "apps.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

# --- Disputes ---------------------------------------------------------------

# Longest reason a disputant may give, in characters.
DISPUTE_REASON_MAX_LENGTH = env.int("DISPUTE_REASON_MAX_LENGTH", default=2000)
# Scheme and host the links in dispute emails start with (no trailing slash).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Seconds an SMTP call may block before the mail is given up (logged, retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Real public data (FTC complaints, NANPA area codes) -------------------

# Folder holding the public FTC and NANPA samples (never copied into the repo).
SHARED_DATA_DIR = Path(
    env.str("SHARED_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data"))
)
# Rows the FTC importer parses and writes per transaction.
FTC_IMPORT_BATCH_SIZE = env.int("FTC_IMPORT_BATCH_SIZE", default=5000)

# --- Block list and push ----------------------------------------------------

# Most entries one region's block list holds; the lowest-ranked fall out.
BLOCKLIST_MAX_ENTRIES = env.int("BLOCKLIST_MAX_ENTRIES", default=200_000)
# Smaller list sizes a phone may ask for with ?limit= (iOS: 50,000).
BLOCKLIST_LIMIT_TIERS = env.list(
    "BLOCKLIST_LIMIT_TIERS", cast=int, default=[10_000, 50_000, 100_000]
)
# Deltas are kept for at least this many versions of a region...
BLOCKLIST_DELTA_RETENTION = env.int("BLOCKLIST_DELTA_RETENTION", default=500)
# ...and for at least this many days; an older ?since= gets the full list.
BLOCKLIST_DELTA_RETENTION_DAYS = env.int("BLOCKLIST_DELTA_RETENTION_DAYS", default=7)
# Seconds a serialized, gzipped list or delta stays in the cache.
BLOCKLIST_CACHE_SECONDS = env.int("BLOCKLIST_CACHE_SECONDS", default=3600)
# FCM topic a region's phones subscribe to: the prefix and the list's region.
PUSH_TOPIC_PREFIX = env.str("PUSH_TOPIC_PREFIX", default="blocklist-")
# Seconds FCM keeps a block-list push for a phone that is offline.
PUSH_BLOCKLIST_TTL_SECONDS = env.int("PUSH_BLOCKLIST_TTL_SECONDS", default=86400)
# Times a push refused for quota or unavailability is retried, with backoff.
PUSH_MAX_RETRIES = env.int("PUSH_MAX_RETRIES", default=8)
# Longest wait between two retries of a push, in seconds.
PUSH_RETRY_BACKOFF_MAX = env.int("PUSH_RETRY_BACKOFF_MAX", default=600)
# Seconds one call to FCM may take before it is given up and retried.
PUSH_HTTP_TIMEOUT = env.int("PUSH_HTTP_TIMEOUT", default=30)

# --- Reputation ---------------------------------------------------------------
# How reports become reputations; docs/reputation.md explains every rule.

# Days after which a report weighs half as much in the verdict.
REPUTATION_EVIDENCE_HALF_LIFE_DAYS = env.float(
    "REPUTATION_EVIDENCE_HALF_LIFE_DAYS", default=90.0
)
# Days after which a report counts half in `activity` (ranks capped block lists).
REPUTATION_ACTIVITY_HALF_LIFE_DAYS = env.float(
    "REPUTATION_ACTIVITY_HALF_LIFE_DAYS", default=3.0
)
# Reports of calls within this many days are "recent" in the counts.
REPUTATION_RECENT_DAYS = env.int("REPUTATION_RECENT_DAYS", default=7)
# Weight of one FTC complaint, relative to an established app user's vote.
FTC_REPORT_WEIGHT = env.float("FTC_REPORT_WEIGHT", default=0.5)
# Weight of a brand-new device's vote; it ramps up to 1 over the next setting.
REPUTATION_NEW_DEVICE_WEIGHT = env.float("REPUTATION_NEW_DEVICE_WEIGHT", default=0.25)
# Days of device age (when it reports) until its votes weigh fully.
REPUTATION_DEVICE_RAMP_DAYS = env.float("REPUTATION_DEVICE_RAMP_DAYS", default=14.0)
# Agreeing pseudo-votes that smooth a device's trust: (agree + k) / (all + k).
REPUTATION_TRUST_PRIOR_VOTES = env.float("REPUTATION_TRUST_PRIOR_VOTES", default=3.0)
# Lowest trust a device's track record can bring it to.
REPUTATION_TRUST_MIN = env.float("REPUTATION_TRUST_MIN", default=0.1)
# Weight of a spam vote on a call that failed STIR/SHAKEN (likely spoofed).
REPUTATION_VERIFICATION_FAILED_WEIGHT = env.float(
    "REPUTATION_VERIFICATION_FAILED_WEIGHT", default=0.3
)
# Weight of an FTC complaint whose caller shares the consumer's area code.
REPUTATION_NEIGHBOUR_SPOOF_WEIGHT = env.float(
    "REPUTATION_NEIGHBOUR_SPOOF_WEIGHT", default=0.3
)
# Share of spam votes with spoofing evidence from which the reason is shown.
REPUTATION_SPOOF_REASON_SHARE = env.float("REPUTATION_SPOOF_REASON_SHARE", default=0.3)
# z of the Wilson lower bound on the spam share (1.96: 95% confidence).
REPUTATION_WILSON_Z = env.float("REPUTATION_WILSON_Z", default=1.96)
# Score (0-100) from which a number is blocked.
REPUTATION_BLOCK_SCORE = env.float("REPUTATION_BLOCK_SCORE", default=65.0)
# Score (0-100) from which phones warn.
REPUTATION_WARN_SCORE = env.float("REPUTATION_WARN_SCORE", default=40.0)
# Not-spam score (0-100) from which a number below warn is allowed.
REPUTATION_ALLOW_SCORE = env.float("REPUTATION_ALLOW_SCORE", default=40.0)
# Points a score must cross a step by before the published verdict changes.
REPUTATION_HYSTERESIS = env.float("REPUTATION_HYSTERESIS", default=5.0)
# A device younger than this (days) when it reports is "brand new" for bursts.
REPUTATION_BURST_DEVICE_AGE_DAYS = env.float(
    "REPUTATION_BURST_DEVICE_AGE_DAYS", default=2.0
)
# Brand-new devices needed before a burst is suspected.
REPUTATION_BURST_MIN_DEVICES = env.int("REPUTATION_BURST_MIN_DEVICES", default=5)
# Days a number's clean record must go back to count as established...
REPUTATION_ESTABLISHED_DAYS = env.float("REPUTATION_ESTABLISHED_DAYS", default=30.0)
# ...or not-spam votes that make it established at any age.
REPUTATION_ESTABLISHED_NOT_SPAM = env.int("REPUTATION_ESTABLISHED_NOT_SPAM", default=3)
# Seconds a cached reputation (or "none") lives; aggregation rewrites it sooner.
REPUTATION_CACHE_SECONDS = env.int("REPUTATION_CACHE_SECONDS", default=600)
# Seconds the lookup leaves a failing cache alone before trying it again.
REPUTATION_CACHE_RETRY_SECONDS = env.float(
    "REPUTATION_CACHE_RETRY_SECONDS", default=5.0
)
# Seconds a device's cached personal list lives. Changes drop it at once;
# one made while Redis was unreachable shows in lookups after this long.
LIST_CACHE_SECONDS = env.int("LIST_CACHE_SECONDS", default=60)
# Seconds a device's identity stays cached for token checks; an erasure
# made while Redis was unreachable takes effect after this long.
DEVICE_CACHE_SECONDS = env.int("DEVICE_CACHE_SECONDS", default=60)
# Numbers (or change-log rows) aggregation reads per query.
AGGREGATION_CHUNK_SIZE = env.int("AGGREGATION_CHUNK_SIZE", default=5000)
# Change-log rows one incremental run takes; the rest go to a follow-up run.
AGGREGATION_MAX_CHANGES_PER_RUN = env.int(
    "AGGREGATION_MAX_CHANGES_PER_RUN", default=200_000
)
# Test hook: seconds to sleep between chunks, to kill a run halfway. Keep 0.
AGGREGATION_CHUNK_PAUSE_SECONDS = env.float(
    "AGGREGATION_CHUNK_PAUSE_SECONDS", default=0.0
)
