import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from prometheus_client import REGISTRY

from apps.core import instruments
from apps.reports.models import ReportChange
from apps.reputation.models import AggregationState

TOKEN = "scraper-token-for-tests"


@pytest.fixture
def scraper(client, settings):
    settings.METRICS_TOKEN = TOKEN
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


def _sample(name: str, labels: dict | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def _page_value(body: str, name: str) -> float:
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not on the metrics page")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "header"),
    [
        ("", ""),
        ("", "Bearer "),
        (TOKEN, ""),
        (TOKEN, "Bearer wrong"),
        (TOKEN, f"Token {TOKEN}"),
        (TOKEN, f"Bearer {TOKEN}x"),
    ],
)
def test_metrics_is_an_ordinary_404_without_the_right_token(
    client, settings, configured, header
):
    settings.METRICS_TOKEN = configured

    response = client.get("/metrics", HTTP_AUTHORIZATION=header)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_metrics_answers_the_scraper_token(scraper):
    response = scraper.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "django_http_requests" in response.content.decode()


@pytest.mark.django_db
def test_metrics_answers_a_staff_session_but_not_an_ordinary_user(client):
    user_model = get_user_model()
    staff = user_model.objects.create_user("ops", password="x", is_staff=True)
    member = user_model.objects.create_user("member", password="x")

    client.force_login(member)
    as_member = client.get("/metrics")
    client.force_login(staff)
    as_staff = client.get("/metrics")

    assert as_member.status_code == 404
    assert as_staff.status_code == 200


@pytest.mark.django_db
def test_metrics_refuses_writes_even_with_the_token(scraper):
    response = scraper.post("/metrics")

    assert response.status_code == 405


def test_a_lookup_is_counted_by_verdict_and_timed():
    before_block = _sample("callguard_lookup_verdicts_total", {"verdict": "block"})
    before_count = _sample("callguard_lookup_seconds_count")

    instruments.lookup_observed("block", 0.004)
    instruments.lookup_observed("BLOCK", 0.02)

    assert (
        _sample("callguard_lookup_verdicts_total", {"verdict": "block"})
        == before_block + 2
    )
    assert _sample("callguard_lookup_seconds_count") == before_count + 2


def test_an_unexpected_verdict_is_counted_as_other_so_labels_stay_bounded():
    before = _sample("callguard_lookup_verdicts_total", {"verdict": "other"})

    instruments.lookup_observed("+12025550123", 0.01)

    assert _sample("callguard_lookup_verdicts_total", {"verdict": "other"}) == (
        before + 1
    )
    assert (
        REGISTRY.get_sample_value(
            "callguard_lookup_verdicts_total", {"verdict": "+12025550123"}
        )
        is None
    )


@pytest.mark.parametrize(
    ("recorded", "label"),
    [
        ("UNAVAILABLE", "unavailable"),
        ("", "other"),
        ("x" * 100, "x" * instruments.CODE_MAX_LENGTH),
    ],
)
def test_push_errors_are_counted_by_a_bounded_code(recorded, label):
    before = _sample("callguard_push_errors_total", {"code": label})

    instruments.push_failed(recorded)

    assert _sample("callguard_push_errors_total", {"code": label}) == before + 1


def test_reports_and_aggregation_runs_are_counted():
    before_reports = _sample(
        "callguard_reports_total", {"category": "scam", "source": "app"}
    )
    before_numbers = _sample("callguard_aggregation_numbers_total")
    before_runs = _sample("callguard_aggregation_seconds_count")

    instruments.report_created("scam")
    instruments.aggregation_observed(1.5, 40)

    assert (
        _sample("callguard_reports_total", {"category": "scam", "source": "app"})
        == before_reports + 1
    )
    assert _sample("callguard_aggregation_numbers_total") == before_numbers + 40
    assert _sample("callguard_aggregation_seconds_count") == before_runs + 1


@pytest.mark.django_db
def test_the_queue_depth_is_read_from_the_database_at_scrape_time(scraper):
    ReportChange.objects.bulk_create(
        [ReportChange(number=f"+1202555{i:04d}") for i in range(3)]
    )
    AggregationState.objects.create(pk=1, last_change_id=17, last_run_at=timezone.now())

    body = scraper.get("/metrics").content.decode()

    assert _page_value(body, "callguard_aggregation_pending_changes") == 3
    assert _page_value(body, "callguard_aggregation_watermark") == 17
    assert 0 <= _page_value(body, "callguard_aggregation_last_run_age_seconds") < 60
