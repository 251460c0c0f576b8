"""Fixtures of the push tests: the real firebase-admin on a fake transport."""

import json

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apps.push.backends import push_backend_reset
from tests.push.fake_fcm import PROJECT, TOKEN_URI, FakeFCM


@pytest.fixture(scope="session")
def service_account_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def fcm(settings, tmp_path, monkeypatch, service_account_key):
    """PUSH_BACKEND=firebase with a throwaway service account; every HTTP
    request goes to a `FakeFCM`, which the test inspects."""
    credentials = tmp_path / "service-account.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "0123456789abcdef",
                "private_key": service_account_key,
                "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "100000000000000000001",
                "token_uri": TOKEN_URI,
            }
        )
    )
    settings.PUSH_BACKEND = "firebase"
    settings.FIREBASE_CREDENTIALS_FILE = str(credentials)
    settings.FIREBASE_PROJECT_ID = ""
    fake = FakeFCM()

    def send(adapter, request, **kwargs):
        return fake.handle(request)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    push_backend_reset()
    yield fake
    push_backend_reset()
    assert fake.refused == [], "a request went to a URL the fake does not serve"


@pytest.fixture
def eager_retries(monkeypatch):
    """Let in-process tasks retry (the suite's eager mode otherwise raises
    the first Retry) and record each backoff asked for: (retries, Retry-After).
    """
    from apps.push import tasks

    conf = tasks.send_blocklist_push_task.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    waits = []
    countdown = tasks._countdown

    def spy(retries, retry_after):
        waits.append((retries, retry_after))
        return countdown(retries, retry_after)

    monkeypatch.setattr(tasks, "_countdown", spy)
    yield waits
    conf.task_eager_propagates = propagates
