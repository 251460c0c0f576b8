"""A stand-in for Google's HTTP endpoints, under the real firebase-admin.

Only the transport is replaced: ``requests.adapters.HTTPAdapter.send``, the
call every requests session (firebase-admin's and google-auth's) ends in.
The SDK builds, signs and parses everything itself: the service account is
a real key file, google-auth signs a real JWT and exchanges it at the token
endpoint served here. Any URL not served here is refused and recorded, so
a test also fails when something tries to reach the network.

Error bodies are FCM's documented HTTP v1 shapes (firebase.google.com,
"FCM error codes" and the ``ErrorCode`` reference).
"""

import json
import threading
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field

import requests
from requests.structures import CaseInsensitiveDict

PROJECT = "callguard-test"
ACCESS_TOKEN = "ya29.fake-access-token"
TOKEN_URI = "https://oauth2.googleapis.com/token"
SEND_URL = f"https://fcm.googleapis.com/v1/projects/{PROJECT}/messages:send"
REGISTRATIONS = f"https://fcm.googleapis.com/v1/projects/{PROJECT}/registrations/"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def fcm_error(status: int, rpc_status: str, message: str, code: str | None = None):
    details = [{"@type": FCM_ERROR, "errorCode": code}] if code else []
    body = {"error": {"code": status, "message": message, "status": rpc_status}}
    if details:
        body["error"]["details"] = details
    return status, body


UNREGISTERED = fcm_error(
    404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"
)
INVALID_TOKEN = fcm_error(
    400,
    "INVALID_ARGUMENT",
    "The registration token is not a valid FCM registration token",
    "INVALID_ARGUMENT",
)
SENDER_MISMATCH = fcm_error(
    403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH"
)
QUOTA_EXCEEDED = fcm_error(
    429,
    "RESOURCE_EXHAUSTED",
    "Quota exceeded for quota metric 'Messages' of service fcm.googleapis.com.",
    "QUOTA_EXCEEDED",
)
UNAVAILABLE = fcm_error(
    503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE"
)
INTERNAL = fcm_error(500, "INTERNAL", "Internal error encountered.", "INTERNAL")
BAD_PAYLOAD = (
    400,
    {
        "error": {
            "code": 400,
            "message": "Invalid value at 'message.data[0].value' (TYPE_STRING), 12",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {
                            "field": "message.data[0].value",
                            "description": "Invalid value at 'message.data[0].value'",
                        }
                    ],
                }
            ],
        }
    },
)


class RefusedURL(requests.exceptions.ConnectionError):
    """The fake does not serve this URL: nothing may reach the network."""


@dataclass
class Call:
    method: str
    url: str
    headers: dict
    body: dict | None


@dataclass
class FakeFCM:
    """Scripted answers per send target (token or topic) and per topic call.

    ``fail(target, *answers)`` queues answers for the next sends to that
    token or topic; once used up, the target succeeds again.
    """

    calls: list[Call] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    token_requests: int = 0
    _script: dict = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: int = 0

    def fail(self, target: str, *answers, headers: dict | None = None) -> None:
        for answer in answers:
            self._script[target].append((answer, headers or {}))

    # What the tests look at.

    def sends(self) -> list[dict]:
        return [c.body for c in self.calls if c.url == SEND_URL]

    def sends_to(self, target: str) -> list[dict]:
        return [
            body
            for body in self.sends()
            if target in (body["message"].get("token"), body["message"].get("topic"))
        ]

    def topic_calls(self) -> list[tuple[str, str, str]]:
        """(method, token, topic) of each subscription call, in order."""
        found = []
        for call in self.calls:
            if not call.url.startswith(REGISTRATIONS):
                continue
            parts = urllib.parse.urlsplit(call.url)
            path = parts.path.split("/registrations/", 1)[1].split("/")
            token = urllib.parse.unquote(path[0])
            if call.method == "POST":
                topic = urllib.parse.parse_qs(parts.query)["topic_name"][0]
            else:
                topic = urllib.parse.unquote(path[2])
            found.append((call.method, token, topic))
        return found

    # The transport.

    def _answer(self, target: str, default):
        with self._lock:
            script = self._script.get(target)
            if script:
                return script.popleft()
            return default, {}

    def handle(self, request: requests.PreparedRequest) -> requests.Response:
        url = request.url
        raw = request.body or b""
        text = raw.decode() if isinstance(raw, bytes) else raw
        is_json = "json" in request.headers.get("Content-Type", "")
        body = json.loads(text) if text and is_json else None
        with self._lock:
            self.calls.append(
                Call(request.method, url, CaseInsensitiveDict(request.headers), body)
            )

        if url == TOKEN_URI and request.method == "POST":
            form = urllib.parse.parse_qs(text)
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            assert form["assertion"][0].count(".") == 2  # a signed JWT
            with self._lock:
                self.token_requests += 1
            return _response(
                request,
                200,
                {
                    "access_token": ACCESS_TOKEN,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                },
            )

        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return _response(
                request, 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
            )

        if url == SEND_URL and request.method == "POST":
            message = body["message"]
            target = message.get("token") or message.get("topic")
            with self._lock:
                self._sent += 1
                name = f"projects/{PROJECT}/messages/{self._sent}"
            (status, answer), headers = self._answer(target, (200, {"name": name}))
            return _response(request, status, answer, headers)

        if url.startswith(REGISTRATIONS) and request.method in {"POST", "DELETE"}:
            token = urllib.parse.unquote(url[len(REGISTRATIONS) :].split("/")[0])
            (status, answer), headers = self._answer(f"topic:{token}", (200, {}))
            return _response(request, status, answer, headers)

        with self._lock:
            self.refused.append(f"{request.method} {url}")
        raise RefusedURL(f"the fake FCM does not serve {request.method} {url}")


def _response(request, status: int, body: dict, headers: dict | None = None):
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers = CaseInsensitiveDict(
        {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    )
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    response.reason = "OK" if status < 400 else "Error"
    return response
