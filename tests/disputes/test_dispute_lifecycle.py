import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.disputes.models import DisputeStatus
from apps.disputes.services import (
    dispute_reject,
    dispute_take_in_review,
    dispute_uphold,
)
from apps.reports.models import ReportChange
from apps.reputation.models import Override, OverrideKind
from tests.disputes.helpers import NUMBER, file_dispute, make_reviewer

pytestmark = pytest.mark.django_db


def test_taking_in_review_stamps_who_and_when(reviewer):
    filed = file_dispute()

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        dispute = dispute_take_in_review(
            dispute=filed.dispute, actor=reviewer, now=timezone.now()
        )

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_REVIEW
    assert dispute.reviewer == reviewer
    assert dispute.review_started_at.isoformat() == "2026-05-01T12:00:00+00:00"
    record = AuditRecord.objects.get(action="dispute.review")
    assert record.actor == reviewer
    assert record.actor_name == "rita"
    assert record.before["status"] == "open"
    assert record.after["status"] == "in_review"
    assert record.number == NUMBER


def test_upholding_sets_the_override_and_queues_the_number(
    reviewer, django_capture_on_commit_callbacks
):
    filed = file_dispute()
    dispute = dispute_take_in_review(
        dispute=filed.dispute, actor=reviewer, now=timezone.now()
    )
    ReportChange.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_uphold(
            dispute=dispute,
            kind=OverrideKind.IDENTIFY,
            label="Pharmacy reminder",
            public_reason="A licensed pharmacy's reminder line.",
            actor=reviewer,
            now=timezone.now(),
        )

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UPHELD
    assert dispute.decided_by == reviewer
    assert dispute.decided_at is not None
    override = Override.objects.get(number=NUMBER, lifted_at__isnull=True)
    assert (override.kind, override.label) == ("identify", "Pharmacy reminder")
    assert override.created_by == reviewer
    assert dispute.override == override
    assert list(ReportChange.objects.values_list("number", flat=True)) == [NUMBER]
    actions = list(AuditRecord.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["override.set", "dispute.uphold"]
    override_record = AuditRecord.objects.get(action="override.set")
    assert override_record.before is None
    assert override_record.after["kind"] == "identify"
    assert override_record.after["label"] == "Pharmacy reminder"


def test_the_decision_is_mailed_to_every_filer_once(
    reviewer, django_capture_on_commit_callbacks
):
    filed = file_dispute()
    file_dispute(email="lee@pharmacy.example")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        dispute_reject(
            dispute=filed.dispute,
            public_reason="The reports describe a prize scam.",
            actor=reviewer,
            now=timezone.now(),
        )

    assert sorted(m.to[0] for m in mail.outbox) == [
        "lee@pharmacy.example",
        "pat@pharmacy.example",
    ]
    for message in mail.outbox:
        assert filed.dispute.reference in message.subject
        assert "The reports describe a prize scam." in message.body
        assert "rejected" in message.body

    from apps.disputes.tasks import send_decision_email_task

    assert send_decision_email_task(filed.dispute.pk) == 0
    assert len(mail.outbox) == 2


def test_internal_notes_never_reach_the_decision_email(
    reviewer, django_capture_on_commit_callbacks
):
    filed = file_dispute()
    filed.dispute.internal_notes = "Owner sounded evasive on the phone."
    filed.dispute.save()

    with django_capture_on_commit_callbacks(execute=True):
        dispute_reject(
            dispute=filed.dispute,
            public_reason="Consistent scam reports.",
            actor=reviewer,
            now=timezone.now(),
        )

    assert mail.outbox
    assert all("evasive" not in m.body for m in mail.outbox)
    assert all(reviewer.username not in m.body for m in mail.outbox)


def test_rejecting_keeps_the_crowd_verdict_and_is_audited(reviewer):
    filed = file_dispute()

    dispute = dispute_reject(
        dispute=filed.dispute,
        public_reason="Consistent scam reports.",
        actor=reviewer,
        now=timezone.now(),
    )

    assert dispute.status == DisputeStatus.REJECTED
    assert not Override.objects.exists()
    record = AuditRecord.objects.get(action="dispute.reject")
    assert record.reason == "Consistent scam reports."
    assert record.before["status"] == "open"
    assert record.after["status"] == "rejected"
    # Decided straight from open: the decider is stamped as the reviewer.
    assert dispute.reviewer == reviewer
    assert dispute.review_started_at == dispute.decided_at


def test_upholding_replaces_an_override_already_on_the_number(reviewer):
    from apps.reputation.overrides import override_set

    earlier = override_set(
        number=NUMBER,
        kind=OverrideKind.BLOCK,
        label="",
        reason="Confirmed scam campaign.",
        actor=reviewer,
        now=timezone.now(),
    )
    filed = file_dispute()

    dispute_uphold(
        dispute=filed.dispute,
        kind=OverrideKind.ALLOW,
        label="Corner Pharmacy",
        public_reason="The line was reassigned to a pharmacy.",
        actor=reviewer,
        now=timezone.now(),
    )

    earlier.refresh_from_db()
    assert earlier.lifted_at is not None
    active = Override.objects.get(number=NUMBER, lifted_at__isnull=True)
    assert active.kind == "allow"
    record = AuditRecord.objects.filter(action="override.set").latest("id")
    assert record.before["kind"] == "block"
    assert record.before["lifted_at"] is None
    assert record.after["kind"] == "allow"


BAD_DECISIONS = [
    ("uphold", {"kind": "allow", "label": "", "public_reason": "ok"}, "label"),
    ("uphold", {"kind": "identify", "label": " ", "public_reason": "ok"}, "label"),
    ("uphold", {"kind": "mute", "label": "x", "public_reason": "ok"}, "kind"),
    ("uphold", {"kind": "block", "label": "", "public_reason": "  "}, "public_reason"),
    ("reject", {"public_reason": ""}, "public_reason"),
    ("reject", {"public_reason": " \n"}, "public_reason"),
]


@pytest.mark.parametrize(("decision", "fields", "field"), BAD_DECISIONS)
def test_an_incomplete_decision_is_refused_and_changes_nothing(
    reviewer, decision, fields, field
):
    filed = file_dispute()
    service = dispute_uphold if decision == "uphold" else dispute_reject

    with pytest.raises(ValidationError) as raised:
        service(dispute=filed.dispute, actor=reviewer, now=timezone.now(), **fields)

    assert field in raised.value.message_dict
    filed.dispute.refresh_from_db()
    assert filed.dispute.status == DisputeStatus.OPEN
    assert not Override.objects.exists()
    assert not AuditRecord.objects.exclude(action="dispute.file").exists()


@pytest.mark.parametrize("first", ["uphold", "reject"])
def test_a_decided_dispute_cannot_be_decided_or_reviewed_again(reviewer, first):
    filed = file_dispute()
    decide = {
        "uphold": lambda d: dispute_uphold(
            dispute=d,
            kind="block",
            label="",
            public_reason="Spam.",
            actor=reviewer,
            now=timezone.now(),
        ),
        "reject": lambda d: dispute_reject(
            dispute=d, public_reason="Spam.", actor=reviewer, now=timezone.now()
        ),
    }
    decide[first](filed.dispute)
    records = AuditRecord.objects.count()

    for again in (
        decide["uphold"],
        decide["reject"],
        lambda d: dispute_take_in_review(dispute=d, actor=reviewer, now=timezone.now()),
    ):
        with pytest.raises(ValidationError) as raised:
            again(filed.dispute)
        assert raised.value.code == "invalid_state"

    assert AuditRecord.objects.count() == records


def test_a_dispute_in_review_cannot_be_taken_again(reviewer):
    filed = file_dispute()
    dispute_take_in_review(dispute=filed.dispute, actor=reviewer, now=timezone.now())

    with pytest.raises(ValidationError):
        dispute_take_in_review(
            dispute=filed.dispute, actor=make_reviewer("ron"), now=timezone.now()
        )

    filed.dispute.refresh_from_db()
    assert filed.dispute.reviewer == reviewer
