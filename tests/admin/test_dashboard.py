from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from apps.disputes.selectors import dashboard_summary
from apps.reputation.models import Reputation
from tests.disputes.helpers import NUMBER, OTHER_NUMBER, file_dispute, make_report

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
URL = "/admin/dashboard/"


@pytest.fixture
def seeded():
    for days_ago in (0, 0, 1, 2, 3):
        make_report(NUMBER, at=NOW - timedelta(days=days_ago, hours=1))
    for days_ago in (1, 5):
        make_report(OTHER_NUMBER, at=NOW - timedelta(days=days_ago))
    make_report("+13105550888", at=NOW - timedelta(days=20))
    Reputation.objects.create(number=NUMBER, verdict="block", score=95)
    Reputation.objects.create(number=OTHER_NUMBER, verdict="warn", score=60)
    Reputation.objects.create(number="+13105550888", verdict="allow", score=2)
    with time_machine.travel(NOW - timedelta(days=12), tick=False):
        file_dispute(NUMBER)
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        file_dispute(OTHER_NUMBER)


@time_machine.travel(NOW, tick=False)
def test_the_summary_counts_reports_numbers_verdicts_and_disputes(seeded):
    summary = dashboard_summary(now=NOW)

    assert [(r["number"], r["reports"]) for r in summary.top_numbers] == [
        (NUMBER, 5),
        (OTHER_NUMBER, 2),
    ]
    assert summary.top_numbers[0]["verdict"] == "block"
    assert dict(summary.verdicts) == {"Block": 1, "Warn": 1, "Allow": 1, "Unknown": 0}
    assert summary.disputes_by_age == [
        ("under 1 day", 1),
        ("1 to 7 days", 0),
        ("7 to 30 days", 1),
        ("over 30 days", 0),
    ]
    assert summary.open_disputes == 2
    days = dict(summary.days)
    assert days[NOW.date()] == 2
    assert days[(NOW - timedelta(days=20)).date()] == 1
    assert sum(days.values()) == 8


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_renders_with_real_data(reviewer_client, seeded):
    response = reviewer_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert NUMBER in page and OTHER_NUMBER in page
    assert "+13105550888" not in page  # Reported 20 days ago: not this week.
    assert "<svg" in page and "<rect" in page
    assert "Jul 15: 2" in page
    assert "Most reported numbers this week" in page
    assert "7 to 30 days" in page
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_the_dashboard_renders_with_no_data(reviewer_client):
    response = reviewer_client.get(URL)

    assert response.status_code == 200
    assert "No reports this week." in response.content.decode()


def test_the_admin_index_links_to_the_dashboard(reviewer_client):
    response = reviewer_client.get("/admin/")

    assert URL in response.content.decode()


def test_the_dashboard_is_for_staff_only(db):
    user = User.objects.create_user("visitor", password="pw")
    client = Client()
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
