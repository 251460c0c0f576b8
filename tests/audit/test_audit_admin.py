"""The audit log can be read in the admin and not changed by anyone."""

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.audit.services import audit_record
from tests.disputes.helpers import NUMBER, make_superuser

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/auditrecord/"


@pytest.fixture
def record(reviewer) -> AuditRecord:
    return audit_record(
        actor=reviewer,
        action="override.set",
        target_type="override",
        target_id=7,
        number=NUMBER,
        before=None,
        after={"kind": "block", "label": ""},
        reason="Confirmed scam campaign.",
        now=timezone.now(),
    )


@pytest.fixture(params=["reviewer", "superuser"])
def staff_client(request, reviewer):
    user = reviewer if request.param == "reviewer" else make_superuser()
    client = Client()
    client.force_login(user)
    return client


def test_staff_read_the_audit_log(staff_client, record):
    listing = staff_client.get(LIST)
    page = staff_client.get(f"{LIST}{record.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert "Confirmed scam campaign." in listing.content.decode()
    text = page.content.decode()
    assert "override.set" in text
    assert "&quot;kind&quot;: &quot;block&quot;" in text
    assert 'name="reason"' not in text
    assert "Save" not in text


def test_nobody_adds_an_audit_record_through_the_admin(staff_client):
    page = staff_client.get(f"{LIST}add/")
    post = staff_client.post(
        f"{LIST}add/",
        {"action": "forged", "target_type": "x", "target_id": "1", "reason": "x"},
    )

    assert page.status_code == post.status_code == 403
    assert not AuditRecord.objects.exists()


def test_nobody_edits_an_audit_record_through_the_admin(staff_client, record):
    response = staff_client.post(
        f"{LIST}{record.pk}/change/",
        {
            "action": "override.lift",
            "reason": "rewritten",
            "actor_name": "someone else",
        },
    )

    assert response.status_code == 403
    record.refresh_from_db()
    assert (record.action, record.reason, record.actor_name) == (
        "override.set",
        "Confirmed scam campaign.",
        "rita",
    )


def test_nobody_deletes_an_audit_record_through_the_admin(staff_client, record):
    page = staff_client.get(f"{LIST}{record.pk}/delete/")
    single = staff_client.post(f"{LIST}{record.pk}/delete/", {"post": "yes"})
    bulk = staff_client.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )

    assert page.status_code == single.status_code == 403
    assert bulk.status_code in {200, 302}
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_the_audit_list_offers_no_bulk_actions(staff_client, record):
    response = staff_client.get(LIST)

    assert response.context["action_form"] is None
    assert "delete_selected" not in response.content.decode()
