import pytest
import time_machine
from django.utils import timezone

from apps.disputes.services import (
    dispute_reject,
    dispute_take_in_review,
    dispute_uphold,
)
from tests.disputes.helpers import file_dispute

pytestmark = pytest.mark.django_db

PUBLIC_KEYS = {
    "reference",
    "status",
    "public_reason",
    "filed_at",
    "review_started_at",
    "decided_at",
}


def _status(api, secret: str):
    return api.get(f"/api/v1/disputes/status/{secret}/")


def test_the_status_link_shows_an_open_dispute(api):
    filed = file_dispute()

    response = _status(api, filed.secret)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_KEYS
    assert body["reference"] == filed.dispute.reference
    assert body["status"] == "open"
    assert body["public_reason"] == ""
    assert body["decided_at"] is None
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_status_link_shows_the_decision_and_nothing_private(api, reviewer):
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        filed = file_dispute()
        joined = file_dispute(email="lee@pharmacy.example")
    with time_machine.travel("2026-03-03 09:00:00Z", tick=False):
        dispute = dispute_take_in_review(
            dispute=filed.dispute, actor=reviewer, now=timezone.now()
        )
        dispute.internal_notes = "Caller list checked against the FTC data."
        dispute.save()
    with time_machine.travel("2026-03-04 08:30:00Z", tick=False):
        dispute_uphold(
            dispute=dispute,
            kind="identify",
            label="Pharmacy reminder",
            public_reason="The number belongs to a licensed pharmacy.",
            actor=reviewer,
            now=timezone.now(),
        )

    for secret in (filed.secret, joined.secret):
        response = _status(api, secret)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == PUBLIC_KEYS
        assert body["status"] == "upheld"
        assert body["public_reason"] == "The number belongs to a licensed pharmacy."
        assert body["filed_at"] == "2026-03-02T10:00:00Z"
        assert body["review_started_at"] == "2026-03-03T09:00:00Z"
        assert body["decided_at"] == "2026-03-04T08:30:00Z"
        text = response.content.decode()
        for private in (
            "Pat Pharmacist",
            "pat@pharmacy.example",
            "lee@pharmacy.example",
            "Corner Pharmacy",
            "prescriptions",
            "FTC data",
            reviewer.username,
        ):
            assert private not in text


def test_a_rejection_shows_its_public_reason(api, reviewer):
    filed = file_dispute()
    dispute_reject(
        dispute=filed.dispute,
        public_reason="Reports are recent and consistent.",
        actor=reviewer,
        now=timezone.now(),
    )

    body = _status(api, filed.secret).json()

    assert body["status"] == "rejected"
    assert body["public_reason"] == "Reports are recent and consistent."


@pytest.mark.parametrize(
    "secret",
    ["nope", "x" * 32, "x" * 300, "%00", "..%2F..%2Fadmin"],
)
def test_an_unknown_secret_answers_404_in_the_common_shape(api, secret):
    file_dispute()

    response = _status(api, secret)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_hash_of_a_secret_does_not_open_the_status(api):
    filed = file_dispute()

    response = _status(api, filed.contact.secret_hash)

    assert response.status_code == 404
