"""Override changes: each is audited and queues the number for aggregation."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditRecord
from apps.reports.models import ReportChange
from apps.reputation.models import Override
from apps.reputation.overrides import override_active, override_lift, override_set
from tests.disputes.helpers import NUMBER

pytestmark = pytest.mark.django_db


def _set(actor, **fields) -> Override:
    values = {
        "number": NUMBER,
        "kind": "block",
        "label": "",
        "reason": "Confirmed scam campaign.",
        "actor": actor,
        "now": timezone.now(),
    }
    values.update(fields)
    return override_set(**values)


def test_setting_an_override_writes_the_row_the_audit_and_the_change(reviewer):
    override = _set(reviewer, kind="identify", label=" Pharmacy reminder ")

    assert override_active(number=NUMBER) == override
    assert override.label == "Pharmacy reminder"
    record = AuditRecord.objects.get()
    assert (record.action, record.target_type, record.target_id) == (
        "override.set",
        "override",
        str(override.pk),
    )
    assert record.actor == reviewer
    assert record.before is None
    assert record.after["kind"] == "identify"
    assert record.after["lifted_at"] is None
    assert record.reason == "Confirmed scam campaign."
    assert list(ReportChange.objects.values_list("number", flat=True)) == [NUMBER]


def test_lifting_an_override_records_before_and_after(reviewer):
    override = _set(reviewer)

    lifted = override_lift(
        number=NUMBER, actor=reviewer, reason="Number reassigned.", now=timezone.now()
    )

    assert lifted.pk == override.pk
    assert lifted.lifted_by == reviewer
    assert override_active(number=NUMBER) is None
    record = AuditRecord.objects.get(action="override.lift")
    assert record.before["lifted_at"] is None
    assert record.after["lifted_at"] is not None
    assert record.after["lifted_by"] == reviewer.pk
    assert ReportChange.objects.filter(number=NUMBER).count() == 2


def test_lifting_when_nothing_is_active_changes_nothing(reviewer):
    result = override_lift(
        number=NUMBER, actor=reviewer, reason="Tidy up.", now=timezone.now()
    )

    assert result is None
    assert not AuditRecord.objects.exists()
    assert not ReportChange.objects.exists()


def test_a_new_override_replaces_the_active_one(reviewer):
    first = _set(reviewer)
    second = _set(reviewer, kind="allow", label="City Hospital", reason="Verified.")

    first.refresh_from_db()
    assert first.lifted_at is not None
    assert Override.objects.filter(lifted_at__isnull=True).get() == second
    record = AuditRecord.objects.latest("id")
    assert record.before["id"] == first.pk
    assert record.before["lifted_at"] is None
    assert record.after["id"] == second.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "allow", "label": ""}, "label"),
        ({"kind": "identify", "label": "   "}, "label"),
        ({"kind": "silence"}, "kind"),
        ({"reason": "  "}, "reason"),
        ({"number": "4155552671"}, "number"),
        ({"number": "+1 415"}, "number"),
    ],
)
def test_an_incomplete_override_is_refused_and_nothing_is_written(
    reviewer, fields, field
):
    with pytest.raises(ValidationError) as raised:
        _set(reviewer, **fields)

    assert field in raised.value.message_dict
    assert not Override.objects.exists()
    assert not AuditRecord.objects.exists()
    assert not ReportChange.objects.exists()


def test_a_lift_needs_a_reason(reviewer):
    _set(reviewer)

    with pytest.raises(ValidationError):
        override_lift(number=NUMBER, actor=reviewer, reason="", now=timezone.now())

    assert override_active(number=NUMBER) is not None
