"""Builders shared by the dispute, audit and admin tests."""

from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from apps.disputes.services import FiledDispute, dispute_file
from apps.reports.models import Report
from tests.conftest import make_device

NUMBER = "+14155552671"
OTHER_NUMBER = "+12125551234"


def make_reviewer(username: str = "rita") -> User:
    """A staff member in the ``reviewer`` group the migration creates."""
    user = User.objects.create_user(username, f"{username}@staff.invalid", "pw")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="reviewer"))
    return user


def make_superuser(username: str = "sam") -> User:
    return User.objects.create_superuser(username, f"{username}@staff.invalid", "pw")


def filing(**fields) -> dict:
    """A valid body for POST /api/v1/disputes/."""
    body = {
        "number": "(415) 555-2671",
        "name": "Pat Pharmacist",
        "email": "pat@pharmacy.example",
        "organization": "Corner Pharmacy",
        "reason": "We call patients to remind them of their prescriptions.",
    }
    body.update(fields)
    return body


def file_dispute(
    number: str = NUMBER, *, email: str = "pat@pharmacy.example", now=None
) -> FiledDispute:
    return dispute_file(
        number=number,
        region="US",
        name="Pat Pharmacist",
        email=email,
        organization="Corner Pharmacy",
        reason="We call patients about their prescriptions.",
        now=now or timezone.now(),
    )


def make_report(
    number: str = NUMBER,
    *,
    at: datetime | None = None,
    device_age: timedelta = timedelta(days=90),
    **fields,
) -> Report:
    """An active report by a new device that registered ``device_age`` before."""
    at = at or timezone.now()
    device, _ = make_device(created_at=at - device_age, updated_at=at)
    values = {
        "number": number,
        "number_region": "US",
        "category": "scam",
        "called_at": at,
        "created_at": at,
    }
    values.update(fields)
    return Report.objects.create(device=device, **values)
