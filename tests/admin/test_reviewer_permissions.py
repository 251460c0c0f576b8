"""What a reviewer may reach in the admin, and what nobody sees."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apps.devices.auth import token_hash
from tests.conftest import make_device
from tests.disputes.helpers import file_dispute, make_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/devices/device/",
        "/admin/lists/listentry/",
    ],
)
def test_a_reviewer_cannot_reach_superuser_pages(reviewer_client, url):
    response = reviewer_client.get(url)

    assert response.status_code in {302, 403}


def test_a_reviewer_cannot_open_a_device(reviewer_client):
    device, _ = make_device(push_token="fcm-secret-push-token")

    response = reviewer_client.get(f"/admin/devices/device/{device.pk}/change/")

    assert response.status_code in {302, 403}
    assert b"fcm-secret-push-token" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/disputes/dispute/",
        "/admin/reports/report/",
        "/admin/reputation/reputation/",
        "/admin/reputation/override/",
        "/admin/reputation/override/add/",
        "/admin/audit/auditrecord/",
        "/admin/dashboard/",
    ],
)
def test_a_reviewer_reaches_the_review_pages(reviewer_client, url):
    response = reviewer_client.get(url)

    assert response.status_code == 200


def test_a_reviewer_sees_reports_read_only(reviewer_client):
    report = make_report()

    page = reviewer_client.get(f"/admin/reports/report/{report.pk}/change/")
    post = reviewer_client.post(
        f"/admin/reports/report/{report.pk}/change/", {"category": "not_spam"}
    )
    delete = reviewer_client.post(
        f"/admin/reports/report/{report.pk}/delete/", {"post": "yes"}
    )

    assert page.status_code == 200
    assert b'name="category"' not in page.content
    assert post.status_code == 403
    assert delete.status_code == 403
    report.refresh_from_db()
    assert report.category == "scam"


def test_the_admin_index_offers_a_reviewer_only_what_they_may_use(reviewer_client):
    page = reviewer_client.get("/admin/").content.decode()

    assert "/admin/disputes/dispute/" in page
    assert "/admin/dashboard/" in page
    assert "/admin/devices/" not in page
    assert "/admin/auth/" not in page


def test_device_secrets_are_never_shown_even_to_a_superuser(superuser_client):
    device, secret = make_device(push_token="fcm-secret-push-token")

    listing = superuser_client.get("/admin/devices/device/")
    page = superuser_client.get(f"/admin/devices/device/{device.pk}/change/")

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        text = response.content.decode()
        assert device.token_hash not in text
        assert secret not in text
        assert "fcm-secret-push-token" not in text
        assert "token_hash" not in text
    assert "push token" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    ["token_hash__startswith=a", "token_hash=x", "push_token__contains=f"],
)
def test_device_secrets_cannot_be_probed_with_filters(superuser_client, query):
    make_device(push_token="fcm-secret-push-token")

    response = superuser_client.get(f"/admin/devices/device/?{query}")

    assert response.status_code == 400


def test_device_search_by_token_finds_nothing(superuser_client):
    _, secret = make_device()

    response = superuser_client.get("/admin/devices/device/", {"q": token_hash(secret)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_devices_cannot_be_changed_or_deleted_even_by_a_superuser(superuser_client):
    device, _ = make_device()

    change = superuser_client.post(
        f"/admin/devices/device/{device.pk}/change/", {"region": "GB"}
    )
    delete = superuser_client.post(
        f"/admin/devices/device/{device.pk}/delete/", {"post": "yes"}
    )

    assert change.status_code == delete.status_code == 403
    device.refresh_from_db()
    assert device.region == "US"


def test_a_staff_member_outside_the_group_cannot_decide(db):
    user = User.objects.create_user("sid", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    dispute = file_dispute().dispute

    queue = client.get("/admin/disputes/dispute/")
    uphold = client.post(
        f"/admin/disputes/dispute/{dispute.pk}/uphold/",
        {"kind": "block", "label": "", "public_reason": "x"},
    )
    reject = client.post(
        f"/admin/disputes/dispute/{dispute.pk}/reject/", {"public_reason": "x"}
    )

    assert queue.status_code == 403
    assert uphold.status_code == reject.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == "open"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    for url in ("/admin/disputes/dispute/", "/admin/dashboard/"):
        response = client.get(url)

        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
