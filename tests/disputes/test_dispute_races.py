"""Races: filings on one number at once, and two reviewers deciding at once."""

import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditRecord
from apps.disputes.models import Dispute, DisputeContact
from apps.disputes.services import dispute_reject, dispute_uphold
from apps.reputation.models import Override
from tests.disputes.helpers import file_dispute, filing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # Reported by the assertions.
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_filings_on_one_number_at_once_share_one_dispute():
    def post(index: int):
        response = APIClient().post(
            "/api/v1/disputes/",
            filing(email=f"filer{index}@example.com"),
            format="json",
        )
        return response.status_code, response.json()

    results = _at_once(10, post)

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [201] * 10
    assert len({r[1]["reference"] for r in results}) == 1
    assert len({r[1]["status_url"] for r in results}) == 10
    assert Dispute.objects.count() == 1
    assert DisputeContact.objects.count() == 10


def test_two_reviewers_deciding_at_once_leave_one_decision():
    dispute = file_dispute().dispute
    ann = User.objects.create_user("ann", is_staff=True)
    bob = User.objects.create_user("bob", is_staff=True)

    def decide(index: int):
        if index == 0:
            return dispute_uphold(
                dispute=dispute,
                kind="allow",
                label="Corner Pharmacy",
                public_reason="Verified pharmacy.",
                actor=ann,
                now=timezone.now(),
            ).status
        return dispute_reject(
            dispute=dispute,
            public_reason="Consistent scam reports.",
            actor=bob,
            now=timezone.now(),
        ).status

    results = _at_once(2, decide)

    outcomes = sorted(r if isinstance(r, str) else type(r).__name__ for r in results)
    assert outcomes in (["ValidationError", "upheld"], ["ValidationError", "rejected"])
    assert all(isinstance(r, str | ValidationError) for r in results), results
    dispute.refresh_from_db()
    decided = next(r for r in results if isinstance(r, str))
    assert dispute.status == decided
    assert Override.objects.count() == (1 if decided == "upheld" else 0)
    assert (
        AuditRecord.objects.filter(
            action__in=["dispute.uphold", "dispute.reject"]
        ).count()
        == 1
    )
