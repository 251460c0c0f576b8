import pytest
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.audit.services import audit_record
from tests.disputes.helpers import NUMBER

pytestmark = pytest.mark.django_db


def test_a_record_names_its_actor_and_keeps_the_name_after_the_user_goes(reviewer):
    record = audit_record(
        actor=reviewer,
        action="dispute.reject",
        target_type="dispute",
        target_id=3,
        number=NUMBER,
        before={"status": "open"},
        after={"status": "rejected"},
        reason="Spam.",
        now=timezone.now(),
    )
    reviewer.delete()

    record.refresh_from_db()
    assert record.actor is None
    assert record.actor_name == "rita"
    assert record.target_id == "3"
    assert (record.before, record.after) == (
        {"status": "open"},
        {"status": "rejected"},
    )


def test_a_record_without_an_actor_is_the_system_s():
    record = audit_record(
        actor=None,
        action="dispute.file",
        target_type="dispute",
        target_id="9",
        before=None,
        after={"status": "open"},
        reason="",
        now=timezone.now(),
    )

    assert AuditRecord.objects.get().actor_name == "system"
    assert record.number == ""
