import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.reports.models import Report, ReportChange
from tests.conftest import make_device
from tests.reports.bodies import URL, client_for, report_body


@pytest.mark.django_db
def test_a_retried_post_with_the_same_key_creates_one_row(phone):
    body = report_body()

    first = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Report.objects.count() == 1
    assert ReportChange.objects.count() == 1


@pytest.mark.django_db
def test_a_key_reused_for_another_call_is_a_conflict_and_stores_nothing(phone):
    first = phone.post(URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    later = (timezone.now() - timedelta(minutes=5)).isoformat()

    again = phone.post(
        URL, report_body(called_at=later), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_of_the_same_call_with_another_comment_answers_the_first(phone):
    body = report_body()
    first = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    again = phone.post(
        URL, {**body, "comment": "sent twice"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_the_same_call_reported_again_without_a_key_creates_one_row(phone):
    body = report_body()

    first = phone.post(URL, body, format="json")
    again = phone.post(URL, {**body, "number": "+14155552671"}, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_device(phone, other_phone):
    _, other = other_phone

    mine = phone.post(URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    theirs = other.post(URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert Report.objects.filter(active=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "",
        "x" * 129,
        "has space",
        "caf\u00e9",
        "tab\there",
    ],
)
def test_a_malformed_idempotency_key_is_refused(phone, key):
    response = phone.post(URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["idempotency_key"]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_key_of_128_printable_characters_is_accepted(phone):
    key = "".join(chr(c) for c in range(0x21, 0x7F))[:128].ljust(128, "z")

    response = phone.post(URL, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 201
    assert Report.objects.get().idempotency_key == key


def _post_concurrently(secret: str, body: dict, headers: dict, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def post(index: int) -> None:
        try:
            client = client_for(secret)
            barrier.wait(timeout=10)
            response = client.post(URL, body, format="json", **headers)
            results[index] = (response.status_code, response.json())
        except Exception as exc:  # Reported by the assertions below.
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "same-key"}], ids=["no-key", "key"]
)
def test_twenty_identical_posts_at_once_create_one_row(headers):
    _, secret = make_device()
    body = report_body()

    results = _post_concurrently(secret, body, headers, count=20)

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [201] * 20
    assert len({r[1]["id"] for r in results}) == 1
    assert Report.objects.count() == 1
    assert ReportChange.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_on_one_number_leave_one_active_vote():
    _, secret = make_device()
    now = timezone.now()
    barrier = threading.Barrier(10)
    statuses: list = []

    def post(minutes: int) -> None:
        try:
            client = client_for(secret)
            barrier.wait(timeout=10)
            called_at = (now - timedelta(minutes=minutes)).isoformat()
            response = client.post(URL, report_body(called_at=called_at), format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(m,)) for m in range(1, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [201] * 10
    assert Report.objects.count() == 10
    assert Report.objects.filter(active=True).count() == 1
    assert Report.objects.filter(superseded_at__isnull=False).count() == 9
