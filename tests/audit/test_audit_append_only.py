"""On PostgreSQL the database refuses to change or delete audit records."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.audit.services import audit_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def record():
    staff = get_user_model().objects.create_user("ruth", is_staff=True)
    return audit_record(
        actor=staff,
        action="override_set",
        target_type="override",
        target_id=1,
        number="+14155552671",
        before=None,
        after={"kind": "allow"},
        reason="verified pharmacy",
        now=timezone.now(),
    )


def test_an_audit_record_cannot_be_changed_in_the_database(record):
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(reason="nothing happened")

    record.refresh_from_db()
    assert record.reason == "verified pharmacy"


def test_an_audit_record_cannot_be_deleted_in_the_database(record):
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).delete()

    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_deleting_the_staff_account_keeps_its_records_and_name(record):
    record.actor.delete()

    record.refresh_from_db()
    assert record.actor is None
    assert record.actor_name == "ruth"
