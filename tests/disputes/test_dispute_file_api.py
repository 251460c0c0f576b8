import re

import pytest
from django.core import mail
from django.test import override_settings

from apps.disputes.models import Dispute, DisputeContact, DisputeStatus
from apps.disputes.services import secret_hash
from tests.disputes.helpers import NUMBER, filing

URL = "/api/v1/disputes/"
STATUS_URL_RE = re.compile(
    r"^http://public\.example/api/v1/disputes/status/(?P<secret>[A-Za-z0-9_-]+)/$"
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_public_base_url"),
]


@pytest.fixture
def _public_base_url():
    with override_settings(PUBLIC_BASE_URL="http://public.example"):
        yield


def _secret(response) -> str:
    match = STATUS_URL_RE.match(response.json()["status_url"])
    assert match, response.json()["status_url"]
    return match["secret"]


def test_a_dispute_is_filed_without_a_device_token(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, filing(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"reference", "status", "status_url"}
    assert re.fullmatch(r"D-[2-9A-HJKMNP-TV-Z]{6}", body["reference"])
    assert body["status"] == "open"
    dispute = Dispute.objects.get()
    assert (dispute.reference, dispute.number, dispute.status) == (
        body["reference"],
        NUMBER,
        DisputeStatus.OPEN,
    )
    contact = dispute.contacts.get()
    assert contact.email == "pat@pharmacy.example"
    assert contact.organization == "Corner Pharmacy"


def test_the_status_secret_is_stored_only_as_its_hash(api):
    response = api.post(URL, filing(), format="json")

    secret = _secret(response)
    contact = DisputeContact.objects.get()
    assert contact.secret_hash == secret_hash(secret)
    assert secret not in contact.secret_hash
    assert not DisputeContact.objects.filter(secret_hash=secret).exists()


def test_the_filer_is_emailed_the_reference_and_status_link(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, filing(), format="json")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@pharmacy.example"]
    assert response.json()["reference"] in message.subject
    assert response.json()["status_url"] in message.body


def test_a_device_token_is_not_needed_and_a_bad_one_is_ignored(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.post(URL, filing(), format="json")

    assert response.status_code == 201


def test_a_second_filing_joins_the_open_dispute_with_its_own_link(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(URL, filing(), format="json")
        second = api.post(
            URL,
            filing(number="+1 415 555 2671", email="lee@pharmacy.example", name="Lee"),
            format="json",
        )

    assert second.status_code == 201
    assert second.json()["reference"] == first.json()["reference"]
    assert _secret(second) != _secret(first)
    dispute = Dispute.objects.get()
    assert dispute.contacts.count() == 2
    assert [m.to for m in mail.outbox] == [
        ["pat@pharmacy.example"],
        ["lee@pharmacy.example"],
    ]
    assert second.json()["status_url"] in mail.outbox[1].body


def test_a_filing_after_a_decision_opens_a_new_dispute(api):
    first = api.post(URL, filing(), format="json")
    Dispute.objects.update(status=DisputeStatus.REJECTED)

    second = api.post(URL, filing(), format="json")

    assert second.status_code == 201
    assert second.json()["reference"] != first.json()["reference"]
    assert Dispute.objects.count() == 2


def test_a_number_is_read_in_the_region_given(api):
    response = api.post(URL, filing(number="07911 123456", region="gb"), format="json")

    assert response.status_code == 201
    assert Dispute.objects.get().number == "+447911123456"


def _long(n: int) -> str:
    return "x" * n


BAD_INPUT = [
    ("name with a line break", filing(name="Ann\nSubject: you won"), "name"),
    ("name with a bidi override", filing(name="Ann \u202egnp.exe"), "name"),
    ("organization with a tab", filing(organization="Acme\tInc"), "organization"),
    ("withheld number", filing(number="Anonymous"), "number"),
    ("empty number", filing(number=""), "number"),
    ("not a number", filing(number="Payphone"), "number"),
    ("fictional number", filing(number="+1 202 555 0143"), "number"),
    ("number as JSON number", filing(number=4155552671), "number"),
    ("overlong number", filing(number="1" * 65), "number"),
    ("unknown region", filing(region="ZZ"), "region"),
    ("missing name", {k: v for k, v in filing().items() if k != "name"}, "name"),
    ("blank name", filing(name="   "), "name"),
    ("overlong name", filing(name=_long(151)), "name"),
    ("bad email", filing(email="not-an-email"), "email"),
    ("missing email", {k: v for k, v in filing().items() if k != "email"}, "email"),
    ("missing reason", {k: v for k, v in filing().items() if k != "reason"}, "reason"),
    ("overlong reason", filing(reason=_long(2001)), "reason"),
    ("null byte in reason", filing(reason="spam\x00"), "reason"),
    ("overlong organisation", filing(organization=_long(151)), "organization"),
    ("reason as an object", filing(reason={"a": 1}), "reason"),
]


@pytest.mark.parametrize(
    ("body", "field"),
    [pytest.param(body, field, id=name) for name, body, field in BAD_INPUT],
)
def test_bad_input_is_refused_with_the_common_error_shape(api, body, field):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"{not json", "application/json", id="malformed JSON"),
        pytest.param(b"[1, 2]", "application/json", id="a list"),
        pytest.param(b'"text"', "application/json", id="a string"),
        pytest.param(b"null", "application/json", id="null"),
        pytest.param(b"number=1", "application/x-www-form-urlencoded", id="a form"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(api, content, content_type):
    response = api.generic("POST", URL, content, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert set(response.json()["error"]) >= {"code", "message"}
    assert not Dispute.objects.exists()


def test_an_overlong_body_is_refused(api):
    response = api.post(URL, filing(reason="x" * 100_000), format="json")

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_are_not_allowed(api, method):
    response = getattr(api, method)(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
