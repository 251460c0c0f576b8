"""Staff set and lift overrides in the admin without a dispute."""

import pytest

from apps.audit.models import AuditRecord
from apps.reports.models import ReportChange
from apps.reputation.models import Override
from apps.reputation.overrides import override_active
from tests.disputes.helpers import NUMBER

pytestmark = pytest.mark.django_db

LIST = "/admin/reputation/override/"


def _set(client, **fields):
    body = {
        "number": "(415) 555-2671",
        "region": "",
        "kind": "block",
        "label": "",
        "reason": "IRS impersonation campaign.",
    }
    body.update(fields)
    return client.post(f"{LIST}add/", body)


def test_a_reviewer_sets_an_override_from_the_admin(reviewer, reviewer_client):
    response = _set(reviewer_client)

    override = override_active(number=NUMBER)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{override.pk}/change/"
    assert (override.kind, override.created_by) == ("block", reviewer)
    assert AuditRecord.objects.get().action == "override.set"
    assert ReportChange.objects.filter(number=NUMBER).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "Payphone"}, b"Not a valid phone number."),
        ({"number": "+1 202 555 0143"}, b"Not a valid phone number."),
        ({"region": "ZZ"}, b"Not a supported country code."),
        ({"kind": "allow"}, b"need the name phones show"),
        ({"reason": ""}, b"This field is required."),
    ],
)
def test_a_bad_override_form_is_shown_again(reviewer_client, fields, message):
    response = _set(reviewer_client, **fields)

    assert response.status_code == 200
    assert message in response.content
    assert not Override.objects.exists()


def test_a_reviewer_lifts_an_override_through_the_action_and_form(
    reviewer, reviewer_client
):
    _set(reviewer_client)
    override = override_active(number=NUMBER)

    chosen = reviewer_client.post(
        LIST, {"action": "lift", "_selected_action": [override.pk]}
    )
    assert chosen["Location"] == f"{LIST}{override.pk}/lift/"
    assert reviewer_client.get(chosen["Location"]).status_code == 200
    lifted = reviewer_client.post(chosen["Location"], {"reason": "Reassigned."})

    assert lifted.status_code == 302
    override.refresh_from_db()
    assert override.lifted_by == reviewer
    record = AuditRecord.objects.get(action="override.lift")
    assert record.reason == "Reassigned."
    assert record.before["lifted_at"] is None


def test_an_override_page_is_read_only_and_offers_the_lift(reviewer_client):
    _set(reviewer_client)
    override = override_active(number=NUMBER)

    page = reviewer_client.get(f"{LIST}{override.pk}/change/")
    edit = reviewer_client.post(
        f"{LIST}{override.pk}/change/", {"kind": "allow", "label": "x"}
    )
    delete = reviewer_client.post(f"{LIST}{override.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert f"{LIST}{override.pk}/lift/" in page.content.decode()
    assert 'name="kind"' not in page.content.decode()
    assert edit.status_code == delete.status_code == 403
    override.refresh_from_db()
    assert override.kind == "block"
    assert override.lifted_at is None


def test_a_staff_member_without_permissions_cannot_set_or_lift(reviewer_client, db):
    from django.contrib.auth.models import User
    from django.test import Client

    _set(reviewer_client)
    override = override_active(number=NUMBER)
    outsider = Client()
    outsider.force_login(User.objects.create_user("sid", password="pw", is_staff=True))

    assert _set(outsider, number="+12125551234").status_code == 403
    lift = outsider.post(f"{LIST}{override.pk}/lift/", {"reason": "x"})
    assert lift.status_code == 403
    override.refresh_from_db()
    assert override.lifted_at is None
    assert not Override.objects.filter(number="+12125551234").exists()
