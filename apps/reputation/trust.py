"""Device trust: how often a device's votes agree with the settled verdicts.

A vote agrees when a spam vote sits on a number the crowd warns about or
blocks, or a not-spam vote on a number it allows; the opposite disagrees.
Numbers still under review (a suspected burst) and numbers staff only
identify are nobody's yardstick. Trust is a smoothed agreement rate,
``(agreements + k) / (agreements + disagreements + k)``, never below
``REPUTATION_TRUST_MIN``: a device with no record keeps full trust.

Refreshed set-based (two UPDATEs per chunk of devices), each chunk in its own
short transaction so phones changing their settings never wait long.
"""

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest

from apps.devices.models import Device
from apps.reports.models import Category, Report

from .models import Override, OverrideKind, Reputation, Verdict
from .scoring import Rules

_CROWD_BAD = [Verdict.BLOCK, Verdict.WARN]


def _count_of(votes) -> Subquery:
    counted = votes.order_by().values("device").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _votes_of_device():
    settled = Reputation.objects.filter(
        number=OuterRef("number"), flagged_for_review=False
    )
    identified = Override.objects.filter(
        number=OuterRef("number"), lifted_at__isnull=True, kind=OverrideKind.IDENTIFY
    )
    spam = ~Q(category=Category.NOT_SPAM)
    not_spam = Q(category=Category.NOT_SPAM)
    bad = Exists(settled.filter(verdict__in=_CROWD_BAD))
    good = Exists(settled.filter(verdict=Verdict.ALLOW))
    votes = Report.objects.filter(device=OuterRef("pk"), active=True).filter(
        ~Exists(identified)
    )
    agreeing = votes.filter(Q(spam, bad) | Q(not_spam, good))
    disagreeing = votes.filter(Q(spam, good) | Q(not_spam, bad))
    return agreeing, disagreeing


def device_trust_refresh(*, rules: Rules, chunk_size: int) -> int:
    """Recount every voting device's agreements and set its trust; returns
    the number of devices refreshed."""
    agreeing, disagreeing = _votes_of_device()
    voters = Device.objects.filter(
        Exists(Report.objects.filter(device=OuterRef("pk")))
    ).order_by("pk")
    smoothed = (Cast(F("agreements"), FloatField()) + rules.trust_prior_votes) / (
        Cast(F("agreements") + F("disagreements"), FloatField())
        + rules.trust_prior_votes
    )
    refreshed = 0
    after = None
    while True:
        page = voters if after is None else voters.filter(pk__gt=after)
        ids = list(page.values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return refreshed

        with transaction.atomic():
            chunk = Device.objects.filter(pk__in=ids)
            chunk.update(
                agreements=_count_of(agreeing), disagreements=_count_of(disagreeing)
            )
            chunk.update(
                trust=Greatest(
                    Value(rules.trust_min, output_field=FloatField()), smoothed
                )
            )
        refreshed += len(ids)
        after = ids[-1]
