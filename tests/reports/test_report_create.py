from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.test import override_settings

from apps.reports.models import Report, ReportChange
from tests.reports.bodies import URL, report_body

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_report_is_stored_with_the_normalised_number(phone, device):
    response = phone.post(URL, report_body(), format="json")

    assert response.status_code == 201
    report = Report.objects.get()
    assert report.device == device
    assert report.number == "+14155552671"
    assert report.number_region == "US"
    assert report.category == "scam"
    assert report.verification == "failed"
    assert report.answered is True
    assert report.active is True
    assert ReportChange.objects.filter(number="+14155552671").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_answer_shows_the_stored_report(phone):
    body = report_body(called_at="2025-03-10T10:30:00-04:00", verification=None)

    response = phone.post(URL, body, format="json")

    report = Report.objects.get()
    assert response.json() == {
        "id": report.id,
        "number": "+14155552671",
        "category": "scam",
        "called_at": "2025-03-10T14:30:00Z",
        "verification": None,
        "answered": True,
        "comment": "Said my car warranty expired",
        "created_at": "2025-03-10T15:00:00Z",
        "active": True,
    }


@pytest.mark.django_db
def test_only_the_required_fields_are_needed(phone):
    body = {key: report_body()[key] for key in ("number", "category", "called_at")}

    response = phone.post(URL, body, format="json")

    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.verification, report.answered, report.comment) == ("", None, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region", "number", "stored"),
    [
        ("US", "+1 415 555 0123", "+14155550123"),  # fictional: invalid, kept
        ("US", "+1 211 555 1234", "+12115551234"),  # N11: invalid, kept
        ("GB", "020 7946 0958", "+442079460958"),
        ("US", "tel:+1-415-555-2671", "+14155552671"),
    ],
)
def test_numbers_are_read_in_the_devices_region(region, number, stored):
    from tests.conftest import make_device
    from tests.reports.bodies import client_for

    _, secret = make_device(region=region)

    response = client_for(secret).post(URL, report_body(number=number), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "withheld_number"),
        ("Anonymous", "withheld_number"),
        ("No Caller ID", "withheld_number"),
        ("Payphone", "not_a_number"),
        ("Hello there", "not_a_number"),
        ("+999 1234", "invalid_number"),
        ("+380 12345678901234567", "invalid_number"),  # longer than E.164
    ],
)
def test_a_number_that_cannot_be_reported_is_refused(phone, number, code):
    response = phone.post(URL, report_body(number=number), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert list(error["fields"]) == ["number"]
    assert not Report.objects.exists()
    assert not ReportChange.objects.exists()


@pytest.mark.django_db
def test_a_second_report_on_a_number_replaces_the_first(phone):
    first = phone.post(URL, report_body(), format="json").json()
    later = datetime.fromisoformat(first["called_at"]) + timedelta(minutes=20)

    response = phone.post(
        URL,
        report_body(called_at=later.isoformat(), category="telemarketing"),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["id"] != first["id"]
    old = Report.objects.get(pk=first["id"])
    assert old.active is False
    assert old.superseded_at is not None
    active = Report.objects.filter(number="+14155552671", active=True)
    assert list(active.values_list("category", flat=True)) == ["telemarketing"]
    assert ReportChange.objects.filter(number="+14155552671").count() == 2


@pytest.mark.django_db
def test_reports_on_different_numbers_all_count(phone):
    for number in ("4155552671", "2125550199", "+44 20 7946 0958"):
        response = phone.post(URL, report_body(number=number), format="json")
        assert response.status_code == 201

    assert Report.objects.filter(active=True).count() == 3


@pytest.mark.django_db
def test_filing_a_report_enqueues_nothing(phone):
    with mock.patch("apps.core.queue.enqueue") as enqueue:
        response = phone.post(URL, report_body(), format="json")

    assert response.status_code == 201
    enqueue.assert_not_called()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@override_settings(REPORT_CLOCK_SKEW_SECONDS=300, REPORT_MAX_AGE_DAYS=30)
@pytest.mark.parametrize(
    ("called_at", "status"),
    [
        ("2025-03-10T15:05:00Z", 201),  # at the skew allowance
        ("2025-03-10T15:05:01Z", 400),
        ("2025-03-10T11:05:01-04:00", 400),  # the same instant, offset
        ("2025-02-08T15:00:00Z", 201),  # 30 days ago exactly
        ("2025-02-08T14:59:59Z", 400),
        ("2025-03-10T15:00:00.123456+00:00", 201),
        ("2025-03-10 14:00:00+01:00", 201),
    ],
)
def test_the_call_time_must_be_recent_and_not_in_the_future(phone, called_at, status):
    response = phone.post(URL, report_body(called_at=called_at), format="json")

    assert response.status_code == status, response.json()
    if status == 400:
        assert list(response.json()["error"]["fields"]) == ["called_at"]
    assert Report.objects.count() == (status == 201)


@pytest.mark.django_db
@override_settings(REPORT_COMMENT_MAX_LENGTH=10)
@pytest.mark.parametrize(
    ("comment", "status"),
    [
        ("a" * 10, 201),
        ("a" * 11, 400),
        ("a\u200b" * 10, 201),  # invisible characters do not count
        ("  " + "a" * 10 + "  ", 201),
    ],
)
def test_the_comment_length_counts_visible_characters(phone, comment, status):
    response = phone.post(URL, report_body(comment=comment), format="json")

    assert response.status_code == status
    if status == 201:
        assert Report.objects.get().comment == "a" * 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "stored", "shown"),
    [("passed", "passed", "passed"), ("", "", None), (None, "", None)],
)
def test_a_missing_verification_is_stored_blank_and_shown_as_null(
    phone, given, stored, shown
):
    response = phone.post(URL, report_body(verification=given), format="json")

    assert response.status_code == 201
    assert Report.objects.get().verification == stored
    assert response.json()["verification"] == shown
