"""Where pushes go: the log (embedded default) or Firebase Cloud Messaging.

``settings.PUSH_BACKEND`` picks one. Both answer in the same terms: each
message or token gets a `Result` whose `Outcome` tells the caller what to
do (nothing, clear the token, retry later, give up), so the services never
see a provider's exceptions.
"""

import enum
import json
import logging
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from apps.core.hashing import pseudonym

from .messages import PushMessage, message_body

logger = logging.getLogger(__name__)

# FCM allows at most 500 messages per send_each and 1000 tokens per topic call.
SEND_BATCH = 500
TOPIC_BATCH = 1000


class Outcome(enum.Enum):
    SENT = "sent"
    BAD_TOKEN = "bad_token"  # unregistered or invalid: forget the token
    RETRY = "retry"  # quota, unavailable, internal: try again later
    FAILED = "failed"  # anything else: retrying would not help


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    code: str = ""
    retry_after: float | None = None


class PushRetryableError(Exception):
    """The provider could not take the message now; retry with backoff."""

    def __init__(self, code: str, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


class PushFailedError(Exception):
    """The provider refused the message for good."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class LogBackend:
    """Writes each message to the log: the embedded default, and for demos."""

    name = "log"

    def send(self, message: PushMessage) -> str:
        self._log("push sent", message)
        return "log"

    def send_each(self, messages: Sequence[PushMessage]) -> list[Result]:
        for message in messages:
            self._log("push sent", message)
        return [Result(Outcome.SENT) for _ in messages]

    def subscribe(self, tokens: Sequence[str], topic: str) -> list[Result]:
        logger.info(
            "push topic subscribe", extra={"topic": topic, "tokens": len(tokens)}
        )
        return [Result(Outcome.SENT) for _ in tokens]

    def unsubscribe(self, tokens: Sequence[str], topic: str) -> list[Result]:
        logger.info(
            "push topic unsubscribe", extra={"topic": topic, "tokens": len(tokens)}
        )
        return [Result(Outcome.SENT) for _ in tokens]

    def close(self) -> None:
        return None

    def _log(self, what: str, message: PushMessage) -> None:
        body = message_body(message)
        if message.token:
            body["token"] = pseudonym(message.token)
        logger.info(what, extra={"push": json.dumps(body, sort_keys=True)})


# --- Firebase ---------------------------------------------------------------

_TOKEN_CODES = frozenset(
    {"UNREGISTERED", "SENDER_ID_MISMATCH", "INVALID_ARGUMENT", "NOT_FOUND"}
)
_RETRY_CODES = frozenset(
    {
        "QUOTA_EXCEEDED",
        "RESOURCE_EXHAUSTED",
        "UNAVAILABLE",
        "INTERNAL",
        "DEADLINE_EXCEEDED",
        "UNKNOWN",
        "UNKNOWN_ERROR",
    }
)


def _retry_after(error) -> float | None:
    response = getattr(error, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _about_token(error) -> bool:
    """Whether an INVALID_ARGUMENT names the registration token, not the
    message: only then is the token to blame (a bad payload would otherwise
    wipe every device's token)."""
    response = getattr(error, "http_response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = {}
    detail = body.get("error", {}) if isinstance(body, dict) else {}
    if not isinstance(detail, dict):
        return False
    if "registration token" in str(detail.get("message", "")).lower():
        return True
    for item in detail.get("details") or []:
        for violation in (item or {}).get("fieldViolations") or []:
            if (violation or {}).get("field") == "message.token":
                return True
    return False


def _classify(error) -> Result:
    from firebase_admin import exceptions, messaging

    code = type(error).__name__
    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return Result(Outcome.BAD_TOKEN, code)
    if isinstance(error, exceptions.InvalidArgumentError) and _about_token(error):
        return Result(Outcome.BAD_TOKEN, code)
    if isinstance(
        error,
        exceptions.ResourceExhaustedError
        | exceptions.UnavailableError
        | exceptions.InternalError
        | exceptions.DeadlineExceededError
        | exceptions.UnknownError,
    ):
        return Result(Outcome.RETRY, code, _retry_after(error))
    return Result(Outcome.FAILED, code)


def _classify_topic(reason: str) -> Result:
    if reason in _TOKEN_CODES:
        return Result(Outcome.BAD_TOKEN, reason)
    if reason in _RETRY_CODES:
        return Result(Outcome.RETRY, reason)
    return Result(Outcome.FAILED, reason)


class FirebaseBackend:
    """The real Firebase Admin SDK, with the service account in
    ``FIREBASE_CREDENTIALS_FILE``; its app is created on first use."""

    name = "firebase"
    app_name = "callguard-push"

    def __init__(self) -> None:
        self._app = None
        self._lock = threading.Lock()

    def _get_app(self):
        import firebase_admin
        from firebase_admin import credentials

        with self._lock:
            if self._app is None:
                options: dict = {"httpTimeout": settings.PUSH_HTTP_TIMEOUT}
                if settings.FIREBASE_PROJECT_ID:
                    options["projectId"] = settings.FIREBASE_PROJECT_ID
                certificate = credentials.Certificate(
                    settings.FIREBASE_CREDENTIALS_FILE
                )
                try:
                    self._app = firebase_admin.initialize_app(
                        certificate, options, name=self.app_name
                    )
                except ValueError:  # Made by an earlier instance in this process.
                    self._app = firebase_admin.get_app(self.app_name)
            return self._app

    def _message(self, message: PushMessage):
        from firebase_admin import messaging

        with warnings.catch_warnings():
            # 7.x prefers installation ids (fid); phones send FCM registration
            # tokens, which the HTTP v1 API still takes as message.token.
            warnings.simplefilter("ignore", DeprecationWarning)
            return messaging.Message(
                data=dict(message.data),
                topic=message.topic or None,
                token=message.token or None,
                android=messaging.AndroidConfig(
                    collapse_key=message.collapse_key or None,
                    priority="normal",
                    ttl=message.ttl_seconds,
                ),
                apns=messaging.APNSConfig(
                    headers=message.apns_headers,
                    payload=messaging.APNSPayload(
                        aps=messaging.Aps(content_available=True)
                    ),
                ),
            )

    def send(self, message: PushMessage) -> str:
        from firebase_admin import exceptions, messaging

        try:
            return messaging.send(self._message(message), app=self._get_app())
        except exceptions.FirebaseError as error:
            result = _classify(error)
            if result.outcome is Outcome.RETRY:
                raise PushRetryableError(result.code, result.retry_after) from error
            raise PushFailedError(result.code) from error

    def send_each(self, messages: Sequence[PushMessage]) -> list[Result]:
        from firebase_admin import exceptions, messaging

        results: list[Result] = []
        for start in range(0, len(messages), SEND_BATCH):
            batch = [self._message(m) for m in messages[start : start + SEND_BATCH]]
            try:
                answer = messaging.send_each(batch, app=self._get_app())
            except exceptions.FirebaseError as error:
                results.extend([_classify(error)] * len(batch))
                continue
            for response in answer.responses:
                if response.success:
                    results.append(Result(Outcome.SENT))
                else:
                    results.append(_classify(response.exception))
        return results

    def _topic_call(self, call, tokens: Sequence[str], topic: str) -> list[Result]:
        from firebase_admin import exceptions

        results: list[Result] = []
        for start in range(0, len(tokens), TOPIC_BATCH):
            batch = list(tokens[start : start + TOPIC_BATCH])
            try:
                answer = call(batch, topic, app=self._get_app())
            except exceptions.FirebaseError as error:
                results.extend([_classify(error)] * len(batch))
                continue
            batch_results = [Result(Outcome.SENT)] * len(batch)
            for error in answer.errors:
                batch_results[error.index] = _classify_topic(str(error.reason))
            results.extend(batch_results)
        return results

    def subscribe(self, tokens: Sequence[str], topic: str) -> list[Result]:
        from firebase_admin import messaging

        return self._topic_call(messaging.subscribe_to_topic, tokens, topic)

    def unsubscribe(self, tokens: Sequence[str], topic: str) -> list[Result]:
        from firebase_admin import messaging

        return self._topic_call(messaging.unsubscribe_from_topic, tokens, topic)

    def close(self) -> None:
        import firebase_admin

        with self._lock:
            if self._app is not None:
                firebase_admin.delete_app(self._app)
                self._app = None


_BACKENDS = {"log": LogBackend, "firebase": FirebaseBackend}
_current: tuple[str, LogBackend | FirebaseBackend] | None = None
_current_lock = threading.Lock()


def push_backend() -> LogBackend | FirebaseBackend:
    """The backend ``PUSH_BACKEND`` names, one per process."""
    global _current
    name = settings.PUSH_BACKEND
    with _current_lock:
        if _current is None or _current[0] != name:
            if _current is not None:
                _current[1].close()
            if name not in _BACKENDS:
                raise ValueError(f"PUSH_BACKEND must be log or firebase, not {name!r}")
            _current = (name, _BACKENDS[name]())
        return _current[1]


def push_backend_reset() -> None:
    """Drop the backend (and its Firebase app); the next call makes a new one."""
    global _current
    with _current_lock:
        if _current is not None:
            _current[1].close()
        _current = None
