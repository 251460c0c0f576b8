from datetime import timedelta

import pytest
from django.utils import timezone

from apps.reports.models import Report, ReportChange
from tests.reports.bodies import URL, report_body


def _file(client, number: str, minutes_ago: int = 60) -> dict:
    called_at = (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()
    response = client.post(
        URL, report_body(number=number, called_at=called_at), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.django_db
def test_a_device_lists_its_own_reports_newest_first(phone, other_phone):
    _, other = other_phone
    first = _file(phone, "4155552671")
    second = _file(phone, "2125550199")
    _file(other, "3125550142")

    response = phone.get(URL)

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [second["id"], first["id"]]


@pytest.mark.django_db
def test_the_list_is_paginated_by_cursor(phone):
    ids = [_file(phone, f"41555526{n:02d}")["id"] for n in range(5)]

    page = phone.get(URL, {"page_size": 2}).json()
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = phone.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]

    assert seen == ids[::-1]


@pytest.mark.django_db
def test_the_list_shows_superseded_reports_but_not_retracted_ones(phone):
    superseded = _file(phone, "4155552671", minutes_ago=90)
    current = _file(phone, "4155552671", minutes_ago=30)
    retracted = _file(phone, "2125550199")
    phone.delete(f"{URL}{retracted['id']}/")

    results = phone.get(URL).json()["results"]

    assert [(r["id"], r["active"]) for r in results] == [
        (current["id"], True),
        (superseded["id"], False),
    ]


@pytest.mark.django_db
def test_a_device_reads_one_of_its_reports(phone):
    report = _file(phone, "4155552671")

    response = phone.get(f"{URL}{report['id']}/")

    assert response.status_code == 200
    assert response.json() == report


@pytest.mark.django_db
def test_retracting_stops_the_vote_and_records_the_change(phone):
    report = _file(phone, "4155552671")

    response = phone.delete(f"{URL}{report['id']}/")

    assert response.status_code == 204
    stored = Report.objects.get(pk=report["id"])
    assert stored.active is False
    assert stored.retracted_at is not None
    assert ReportChange.objects.filter(number="+14155552671").count() == 2
    assert phone.get(f"{URL}{report['id']}/").status_code == 404


@pytest.mark.django_db
def test_retracting_twice_answers_204_and_changes_nothing_more(phone):
    report = _file(phone, "4155552671")
    phone.delete(f"{URL}{report['id']}/")
    retracted_at = Report.objects.get().retracted_at

    response = phone.delete(f"{URL}{report['id']}/")

    assert response.status_code == 204
    assert Report.objects.get().retracted_at == retracted_at
    assert ReportChange.objects.count() == 2


@pytest.mark.django_db
def test_a_new_report_after_a_retraction_counts_again(phone):
    report = _file(phone, "4155552671", minutes_ago=90)
    phone.delete(f"{URL}{report['id']}/")

    _file(phone, "4155552671", minutes_ago=30)

    assert Report.objects.filter(active=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "delete"])
def test_another_devices_report_is_not_found(phone, other_phone, method):
    _, other = other_phone
    theirs = _file(other, "4155552671")

    response = getattr(phone, method)(f"{URL}{theirs['id']}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    stored = Report.objects.get(pk=theirs["id"])
    assert (stored.active, stored.retracted_at) == (True, None)


@pytest.mark.django_db
@pytest.mark.parametrize("report_id", ["0", "999999", str(2**63), "9" * 40])
@pytest.mark.parametrize("method", ["get", "delete"])
def test_a_report_id_that_names_nothing_is_not_found(phone, method, report_id):
    response = getattr(phone, method)(f"{URL}{report_id}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_garbage_cursor_is_not_found(phone):
    response = phone.get(URL, {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}1/"), ("delete", f"{URL}1/")],
)
@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "not_authenticated"),
        ("Token", "authentication_failed"),
        ("Token a b", "authentication_failed"),
        ("Token unknown-secret", "authentication_failed"),
        ("Token " + "x" * 200, "authentication_failed"),
        ("Bearer abc", "not_authenticated"),
        ("Token caf\u00e9", "authentication_failed"),
    ],
)
def test_reports_need_a_valid_token(api, method, path, header, code):
    if header is not None:
        api.credentials(HTTP_AUTHORIZATION=header)

    response = getattr(api, method)(path, report_body(), format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert not Report.objects.exists()
