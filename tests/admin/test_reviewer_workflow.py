"""A reviewer works the dispute queue in the admin, end to end over HTTP."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.disputes.models import Dispute, DisputeStatus
from apps.reputation.models import Override
from tests.disputes.helpers import NUMBER, OTHER_NUMBER, file_dispute, filing

pytestmark = pytest.mark.django_db

QUEUE = "/admin/disputes/dispute/"


def _page(pk: int, name: str = "change") -> str:
    return f"{QUEUE}{pk}/{name}/"


def test_a_dispute_filed_over_http_is_reviewed_and_upheld_in_the_admin(
    api, reviewer, reviewer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = api.post("/api/v1/disputes/", filing(), format="json")
    assert filed.status_code == 201
    dispute = Dispute.objects.get(reference=filed.json()["reference"])
    assert len(mail.outbox) == 1

    taken = reviewer_client.post(
        QUEUE, {"action": "take_in_review", "_selected_action": [dispute.pk]}
    )
    assert taken.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.reviewer) == (DisputeStatus.IN_REVIEW, reviewer)

    form = reviewer_client.get(_page(dispute.pk, "uphold"))
    assert form.status_code == 200
    assert b"public_reason" in form.content
    with django_capture_on_commit_callbacks(execute=True):
        upheld = reviewer_client.post(
            _page(dispute.pk, "uphold"),
            {
                "kind": "identify",
                "label": "Pharmacy reminder",
                "public_reason": "The number is a licensed pharmacy's.",
            },
        )

    assert upheld.status_code == 302
    assert upheld["Location"] == _page(dispute.pk)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UPHELD
    assert dispute.decided_by == reviewer
    override = Override.objects.get(number=NUMBER, lifted_at__isnull=True)
    assert (override.kind, override.label) == ("identify", "Pharmacy reminder")
    assert list(
        AuditRecord.objects.filter(actor=reviewer)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["dispute.review", "override.set", "dispute.uphold"]
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["pat@pharmacy.example"]
    assert "licensed pharmacy" in mail.outbox[1].body

    status = api.get(filed.json()["status_url"].split("127.0.0.1:8000")[-1])
    assert status.json()["status"] == "upheld"


def test_a_reviewer_rejects_through_the_queue_action_and_form(
    reviewer, reviewer_client, django_capture_on_commit_callbacks
):
    dispute = file_dispute().dispute

    chosen = reviewer_client.post(
        QUEUE, {"action": "reject", "_selected_action": [dispute.pk]}
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == _page(dispute.pk, "reject")

    missing_reason = reviewer_client.post(_page(dispute.pk, "reject"), {})
    assert missing_reason.status_code == 200
    assert b"This field is required" in missing_reason.content
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        rejected = reviewer_client.post(
            _page(dispute.pk, "reject"),
            {"public_reason": "Forty recent scam reports from long-standing users."},
        )

    assert rejected.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.REJECTED
    assert not Override.objects.exists()
    record = AuditRecord.objects.get(action="dispute.reject")
    assert record.actor == reviewer
    assert record.reason.startswith("Forty recent")
    assert mail.outbox[-1].subject == f"Decision on your dispute {dispute.reference}"


def test_an_uphold_form_without_a_label_is_shown_again_with_the_error(
    reviewer_client,
):
    dispute = file_dispute().dispute

    response = reviewer_client.post(
        _page(dispute.pk, "uphold"),
        {"kind": "allow", "label": "", "public_reason": "Verified."},
    )

    assert response.status_code == 200
    assert b"need the name phones show" in response.content
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert not Override.objects.exists()


def test_deciding_a_decided_dispute_shows_an_error_and_changes_nothing(
    reviewer_client,
):
    dispute = file_dispute().dispute
    reviewer_client.post(_page(dispute.pk, "reject"), {"public_reason": "Spam."})

    again = reviewer_client.post(
        _page(dispute.pk, "uphold"),
        {"kind": "block", "label": "", "public_reason": "Changed my mind."},
    )

    assert again.status_code == 200
    assert b"cannot be upheld" in again.content
    assert not Override.objects.exists()


def test_the_queue_shows_the_oldest_undecided_dispute_first(reviewer_client):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        old = file_dispute(NUMBER).dispute
    with time_machine.travel(now - timedelta(days=10), tick=False):
        decided = file_dispute("+13105550888").dispute
        Dispute.objects.filter(pk=decided.pk).update(status=DisputeStatus.REJECTED)
    new = file_dispute(OTHER_NUMBER).dispute

    response = reviewer_client.get(QUEUE)

    assert response.status_code == 200
    shown = [d.reference for d in response.context["cl"].result_list]
    assert shown == [old.reference, new.reference, decided.reference]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=open", {"new", "old"}),
        ("age=0", {"new"}),
        ("age=1", {"old"}),
        ("age=2", set()),
        ("age=9", set()),
        ("q=(415) 555-2671", {"old"}),
        ("q=+12125551234", {"new"}),
    ],
)
def test_the_queue_filters_by_status_and_age_and_finds_numbers(
    reviewer_client, query, expected
):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        old = file_dispute(NUMBER).dispute
    new = file_dispute(OTHER_NUMBER).dispute
    names = {old.reference: "old", new.reference: "new"}

    response = reviewer_client.get(f"{QUEUE}?{query}")

    assert response.status_code == 200
    assert {names[d.reference] for d in response.context["cl"].result_list} == expected


def test_the_queue_finds_a_dispute_by_its_reference_in_any_case(reviewer_client):
    dispute = file_dispute().dispute
    file_dispute(OTHER_NUMBER)

    response = reviewer_client.get(QUEUE, {"q": dispute.reference.lower()})

    assert [d.pk for d in response.context["cl"].result_list] == [dispute.pk]


def test_the_dispute_page_shows_the_evidence_and_the_filers(reviewer_client):
    from tests.disputes.helpers import make_report

    make_report(verification="failed", comment="Press 1 for your prize")
    make_report(category="telemarketing")
    dispute = file_dispute().dispute

    response = reviewer_client.get(_page(dispute.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Evidence on +14155552671" in page
    assert "Press 1 for your prize" in page
    assert "<svg" in page
    assert "Failed STIR/SHAKEN" in page
    assert "50%" in page
    assert "pat@pharmacy.example" in page
    assert "Uphold" in page and "Reject" in page and "Take in review" in page
    assert response.context["evidence"].total == 2


def test_a_reviewer_saves_internal_notes_without_undoing_a_decision(
    reviewer_client,
):
    dispute = file_dispute().dispute
    page = reviewer_client.get(_page(dispute.pk))
    assert page.status_code == 200
    # Another reviewer decides while this page is open.
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.REJECTED)

    saved = reviewer_client.post(
        _page(dispute.pk),
        {
            "internal_notes": "Called the pharmacy back.",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
            "contacts-0-id": dispute.contacts.get().pk,
            "contacts-0-dispute": dispute.pk,
        },
    )

    assert saved.status_code == 302
    dispute.refresh_from_db()
    assert dispute.internal_notes == "Called the pharmacy back."
    assert dispute.status == DisputeStatus.REJECTED
