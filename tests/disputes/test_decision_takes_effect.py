"""A decision reaches the phones within one aggregation cycle.

Filed over HTTP, decided in the admin, then one run of the aggregation task:
the lookup answers the new verdict with reason ``override``, the next
block-list delta changes the number's entry from block to identify
(shown by name, never blocked), and the block-list push goes out.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from apps.reports.models import Report, ReportChange
from apps.reputation.cache import cache_reset
from apps.reputation.tasks import aggregate_reports_task
from tests.conftest import make_device
from tests.disputes.helpers import NUMBER, filing

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
SPAMMERS = 15


@pytest.fixture(autouse=True)
def _fresh_lookup_cache():
    cache_reset()
    yield
    cache_reset()


@pytest.fixture
def pushes(monkeypatch):
    sent = []

    class Recorder:
        def send(self, message):
            sent.append(message)
            return "recorded"

    monkeypatch.setattr("apps.push.services.push_backend", Recorder)
    return sent


def _crowd_says_spam() -> None:
    for i in range(SPAMMERS):
        device, _ = make_device(
            created_at=NOW - timedelta(days=90), updated_at=NOW - timedelta(days=90)
        )
        Report.objects.create(
            device=device,
            number=NUMBER,
            number_region="US",
            category="scam",
            called_at=NOW - timedelta(hours=i + 1),
            created_at=NOW - timedelta(hours=i + 1) + timedelta(minutes=2),
        )
        ReportChange.objects.create(number=NUMBER)


def _aggregate(capture) -> None:
    """One aggregation cycle, with the cache refresh and pushes it queues
    after its commit (the test's transaction never commits)."""
    with capture(execute=True):
        aggregate_reports_task()


def _blocklist(phone, **params):
    response = phone.get("/api/v1/blocklist/", {"region": "US", **params})
    assert response.status_code == 200, response.content
    return response.json()


def _digits() -> int:
    return int(NUMBER[1:])


def _decide(api, reviewer, capture, *, action: str, fields: dict) -> None:
    with capture(execute=True):
        filed = api.post("/api/v1/disputes/", filing(), format="json")
    assert filed.status_code == 201
    from apps.disputes.models import Dispute

    dispute = Dispute.objects.get(reference=filed.json()["reference"])
    admin = Client()
    admin.force_login(reviewer)
    with capture(execute=True):
        response = admin.post(f"/admin/disputes/dispute/{dispute.pk}/{action}/", fields)
    assert response.status_code == 302, response.content


@pytest.mark.parametrize(
    ("fields", "verdicts"),
    [
        pytest.param(
            {
                "kind": "allow",
                "label": "Corner Pharmacy",
                "public_reason": "A verified pharmacy's reminder line.",
            },
            {"allow"},
            id="allow",
        ),
        pytest.param(
            {
                "kind": "identify",
                "label": "Pharmacy reminder",
                "public_reason": "A verified pharmacy's reminder line.",
            },
            {"allow", "unknown"},
            id="identify",
        ),
    ],
)
def test_an_upheld_dispute_changes_lookup_blocklist_and_push_in_one_cycle(
    api,
    phone,
    reviewer,
    pushes,
    django_capture_on_commit_callbacks,
    fields,
    verdicts,
):
    with time_machine.travel(NOW, tick=False):
        _crowd_says_spam()
        _aggregate(django_capture_on_commit_callbacks)
        before = phone.get("/api/v1/lookup/", {"number": NUMBER}).json()
        listed = _blocklist(phone)
    assert before["verdict"] == "block"
    assert _digits() in [entry["number"] for entry in listed["entries"]]
    pushes.clear()

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        _decide(
            api,
            reviewer,
            django_capture_on_commit_callbacks,
            action="uphold",
            fields=fields,
        )
        _aggregate(django_capture_on_commit_callbacks)
        after = phone.get("/api/v1/lookup/", {"number": NUMBER}).json()
        delta = _blocklist(phone, since=listed["version"])

    assert after["verdict"] in verdicts
    assert after["verdict"] != "block"
    assert "override" in after["reasons"]
    assert after["label"] == fields["label"]
    assert delta["full"] is False
    assert delta["version"] > listed["version"]
    # No longer blocked: listed by name for the call screen instead.
    [entry] = [e for e in delta["added"] if e["number"] == _digits()]
    assert (entry["action"], entry["label"]) == ("identify", fields["label"])
    assert [(m.data["region"], m.data["version"]) for m in pushes] == [
        ("US", str(delta["version"]))
    ]


def test_a_rejected_dispute_keeps_the_crowd_verdict(
    api, phone, reviewer, pushes, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        _crowd_says_spam()
        _aggregate(django_capture_on_commit_callbacks)
        listed = _blocklist(phone)

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        _decide(
            api,
            reviewer,
            django_capture_on_commit_callbacks,
            action="reject",
            fields={"public_reason": "Consistent scam reports."},
        )
        _aggregate(django_capture_on_commit_callbacks)
        after = phone.get("/api/v1/lookup/", {"number": NUMBER}).json()
        delta = _blocklist(phone, since=listed["version"])

    assert after["verdict"] == "block"
    assert "override" not in after["reasons"]
    assert _digits() not in delta.get("removed", [])


def test_a_staff_override_and_its_lift_reach_the_phones(
    phone, reviewer, pushes, django_capture_on_commit_callbacks
):
    admin = Client()
    admin.force_login(reviewer)
    with time_machine.travel(NOW, tick=False):
        set_ = admin.post(
            "/admin/reputation/override/add/",
            {
                "number": NUMBER,
                "kind": "block",
                "label": "",
                "reason": "Confirmed IRS impersonation campaign.",
            },
        )
        _aggregate(django_capture_on_commit_callbacks)
        blocked = phone.get("/api/v1/lookup/", {"number": NUMBER}).json()
        listed = _blocklist(phone)
    assert set_.status_code == 302
    assert blocked["verdict"] == "block"
    assert "override" in blocked["reasons"]
    [entry] = [e for e in listed["entries"] if e["number"] == _digits()]
    assert entry["action"] == "block"

    from apps.reputation.models import Override

    override = Override.objects.get(number=NUMBER)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        lifted = admin.post(
            f"/admin/reputation/override/{override.pk}/lift/",
            {"reason": "Campaign ended; number reassigned."},
        )
        _aggregate(django_capture_on_commit_callbacks)
        after = phone.get("/api/v1/lookup/", {"number": NUMBER}).json()
        removed = _blocklist(phone, since=listed["version"])

    assert lifted.status_code == 302
    assert after["verdict"] != "block"
    assert "override" not in after["reasons"]
    assert _digits() in removed["removed"]
    assert [m.data["version"] for m in pushes][-1] == str(removed["version"])
