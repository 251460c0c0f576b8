from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.disputes.selectors import number_evidence
from apps.reputation.models import Reputation
from apps.reputation.overrides import override_set
from tests.disputes.helpers import NUMBER, OTHER_NUMBER, make_report

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_the_evidence_counts_the_number_s_active_reports():
    make_report(at=NOW - timedelta(hours=1), verification="failed")
    make_report(
        at=NOW - timedelta(days=1), verification="failed", device_age=timedelta(hours=5)
    )
    make_report(
        at=NOW - timedelta(days=1),
        category="telemarketing",
        device_age=timedelta(days=10),
        comment="Said I won a cruise",
    )
    make_report(at=NOW - timedelta(days=3), category="not_spam", verification="passed")
    make_report(at=NOW - timedelta(days=45), comment="Old one")
    make_report(at=NOW, active=False, comment="superseded")
    make_report(OTHER_NUMBER, at=NOW)

    evidence = number_evidence(NUMBER, now=NOW)

    assert evidence.total == 5
    assert evidence.reporters == 5
    assert evidence.failed_verification == 2
    assert evidence.failed_verification_percent == "40%"
    assert evidence.categories == [("Scam", 3), ("Not spam", 1), ("Telemarketing", 1)]
    assert evidence.device_ages == [
        ("under 2 days", 1),
        ("2 to 30 days", 1),
        ("over 30 days", 3),
    ]
    assert [c["comment"] for c in evidence.comments] == [
        "Said I won a cruise",
        "Old one",
    ]
    assert len(evidence.days) == 30
    assert evidence.days[0][0] == date(2026, 6, 1)
    assert evidence.days[-1] == (date(2026, 6, 30), 1)
    assert dict(evidence.days)[date(2026, 6, 29)] == 2
    assert dict(evidence.days)[date(2026, 6, 27)] == 1
    assert sum(n for _, n in evidence.days) == 4  # The 45-day-old one is out.


def test_the_evidence_holds_the_reputation_and_the_active_override(reviewer):
    Reputation.objects.create(
        number=NUMBER, verdict="block", score=91.5, reasons=["crowd_reports"]
    )
    override_set(
        number=NUMBER,
        kind="identify",
        label="Pharmacy reminder",
        reason="Verified",
        actor=reviewer,
        now=timezone.now(),
    )

    evidence = number_evidence(NUMBER)

    assert evidence.reputation.verdict == "block"
    assert evidence.reputation.reasons == ["crowd_reports"]
    assert evidence.override.label == "Pharmacy reminder"
    assert evidence.total == 0
    assert evidence.failed_verification_percent == "0%"


def test_a_number_nobody_reported_has_empty_evidence():
    evidence = number_evidence(NUMBER)

    assert evidence.total == 0
    assert evidence.categories == []
    assert evidence.reputation is None
    assert evidence.override is None
    assert all(n == 0 for _, n in evidence.days)
