"""The set-based SQL of aggregation: every active vote of some numbers,
weighted and summed per number in one GROUP BY.

A vote's weight is the product of

* its source: 1 for an app user, ``FTC_REPORT_WEIGHT`` for an FTC complaint;
* its device: ``trust`` x an age factor ramping from
  ``REPUTATION_NEW_DEVICE_WEIGHT`` to 1 over the device's first
  ``REPUTATION_DEVICE_RAMP_DAYS`` (device age when it filed the report);
* spoofing: spam votes on calls that failed verification, and FTC complaints
  whose caller shares the consumer's area code, count at a discount;
* its age: halves every ``REPUTATION_EVIDENCE_HALF_LIFE_DAYS``.

The database does all of that, for both PostgreSQL and SQLite.
"""

import math
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Exp, Greatest, Least, Substr

from apps.numbers.normalize import normalize
from apps.reports.models import Category, Report, Source, Verification

from .expressions import EpochSeconds
from .models import Override, Reputation
from .scoring import SPAM_CATEGORIES, Evidence, Rules

# exp() of anything below this is 0 for our purposes, and PostgreSQL raises
# on underflow instead of returning 0.
_MIN_EXPONENT = -600.0
_MAX_EXPONENT = 50.0

SPAM = ~Q(category=Category.NOT_SPAM)
NOT_SPAM = Q(category=Category.NOT_SPAM)
FAILED = Q(verification=Verification.FAILED)
NEIGHBOUR = (
    Q(source=Source.FTC)
    & Q(number__startswith="+1")
    & ~Q(consumer_area_code="")
    & Q(consumer_area_code=Substr("number", 3, 3))
)


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _exp(exponent) -> Exp:
    bounded = Least(Greatest(exponent, _float(_MIN_EXPONENT)), _float(_MAX_EXPONENT))
    return Exp(bounded, output_field=FloatField())


def _base_weight(rules: Rules):
    """Source x device x spoofing discount, before any decay in time."""
    device_age = EpochSeconds("created_at") - EpochSeconds("device__created_at")
    ramp = Least(
        _float(1.0),
        Greatest(
            _float(rules.new_device_weight),
            _float(rules.new_device_weight)
            + _float((1 - rules.new_device_weight) / rules.device_ramp) * device_age,
        ),
    )
    device = Case(
        When(device__isnull=True, then=_float(1.0)),
        default=F("device__trust") * ramp,
        output_field=FloatField(),
    )
    source = Case(
        When(source=Source.FTC, then=_float(rules.ftc_weight)),
        default=_float(1.0),
        output_field=FloatField(),
    )
    spoofing = Case(
        When(SPAM & FAILED, then=_float(rules.verification_failed_weight)),
        When(SPAM & NEIGHBOUR, then=_float(rules.neighbour_spoof_weight)),
        default=_float(1.0),
        output_field=FloatField(),
    )
    return source * device * spoofing


def _decay(now_epoch: float, half_life: float):
    """2^(-(now - called_at) / half_life), with future calls counted as now."""
    age = Greatest(_float(now_epoch) - EpochSeconds("called_at"), _float(0.0))
    return _exp(_float(-math.log(2) / half_life) * age)


def _growth(now_epoch: float, half_life: float):
    """2^((called_at - now) / half_life): the short-half-life activity term."""
    return _exp(
        _float(math.log(2) / half_life)
        * (EpochSeconds("called_at") - _float(now_epoch))
    )


def evidence_for(
    numbers: Sequence[str], *, now: datetime, rules: Rules, contiguous: bool = False
) -> dict[str, Evidence]:
    """The aggregated active votes of each of ``numbers`` that has any.

    ``contiguous``: ``numbers`` are every voted number from the first to the
    last (a chunk of `all_numbers`), so a range scan replaces the IN list.
    """
    now_epoch = now.timestamp()
    base = _base_weight(rules)
    weight = base * _decay(now_epoch, rules.evidence_half_life)
    new_device_spam = (
        SPAM
        & Q(device__isnull=False)
        & Q(
            device__created_at__gt=F("created_at")
            - timedelta(seconds=rules.burst_device_age)
        )
    )
    per_category = {
        f"n_{category}": Count("id", filter=Q(category=category))
        for category in SPAM_CATEGORIES
    }
    if contiguous:
        chosen = Q(number__gte=numbers[0], number__lte=numbers[-1])
    else:
        chosen = Q(number__in=list(numbers))
    rows = (
        Report.objects.filter(chosen, active=True)
        .values("number")
        .annotate(
            region=Max("number_region"),
            spam_count=Count("id", filter=SPAM),
            not_spam_count=Count("id", filter=NOT_SPAM),
            # Not DISTINCT: a device has one active vote per number (a
            # constraint), and counting distinct values costs a sort.
            devices=Count("device"),
            deviceless=Count("id", filter=Q(device__isnull=True)),
            recent_count=Count(
                "id", filter=Q(called_at__gte=now - timedelta(seconds=rules.recent))
            ),
            spam_weight=Sum(weight, filter=SPAM),
            not_spam_weight=Sum(weight, filter=NOT_SPAM),
            failed_count=Count("id", filter=SPAM & FAILED),
            neighbour_count=Count("id", filter=SPAM & NEIGHBOUR),
            activity_sum=Sum(
                base * _growth(now_epoch, rules.activity_half_life), filter=SPAM
            ),
            burst_weight=Sum(weight, filter=new_device_spam),
            burst_devices=Count("id", filter=new_device_spam),
            history_count=Count("id", filter=~new_device_spam),
            history_spam_count=Count("id", filter=SPAM & ~new_device_spam),
            history_first_at=Min("called_at", filter=~new_device_spam),
            first_reported_at=Min("called_at"),
            last_reported_at=Max("called_at"),
            **per_category,
        )
        .order_by()
    )
    return {row["number"]: _evidence(row) for row in rows}


def _evidence(row: dict) -> Evidence:
    return Evidence(
        number=row["number"],
        region=row["region"] or "",
        spam_count=row["spam_count"],
        not_spam_count=row["not_spam_count"],
        # One vote per device and number (a constraint); each FTC complaint
        # is an independent consumer.
        reporters=row["devices"] + row["deviceless"],
        recent_count=row["recent_count"],
        spam_weight=row["spam_weight"] or 0.0,
        not_spam_weight=row["not_spam_weight"] or 0.0,
        category_counts={
            category: row[f"n_{category}"] for category in SPAM_CATEGORIES
        },
        failed_count=row["failed_count"],
        neighbour_count=row["neighbour_count"],
        activity_sum=row["activity_sum"] or 0.0,
        burst_weight=row["burst_weight"] or 0.0,
        burst_devices=row["burst_devices"],
        history_count=row["history_count"],
        history_spam_count=row["history_spam_count"],
        history_first_at=row["history_first_at"],
        first_reported_at=row["first_reported_at"],
        last_reported_at=row["last_reported_at"],
    )


def region_of(number: str) -> str:
    """The country of an E.164 number, for reputations without reports."""
    return normalize(number, None).region or ""


def all_numbers(chunk_size: int) -> Iterator[tuple[list[str], bool]]:
    """Every number with an active vote, a reputation or an active override,
    in sorted chunks (keyset pagination: memory stays bounded), each with
    whether its numbers have votes (then they are contiguous)."""
    for chunk in _keyset(
        Report.objects.filter(active=True).values_list("number", flat=True),
        chunk_size,
    ):
        yield chunk, True
    voted = Report.objects.filter(active=True, number=OuterRef("number"))
    for chunk in _keyset(
        Reputation.objects.filter(~Exists(voted)).values_list("number", flat=True),
        chunk_size,
    ):
        yield chunk, False
    orphans = sorted(
        set(
            Override.objects.filter(lifted_at__isnull=True)
            .filter(~Exists(voted))
            .exclude(number__in=Reputation.objects.values("number"))
            .values_list("number", flat=True)
        )
    )
    for start in range(0, len(orphans), chunk_size):
        yield orphans[start : start + chunk_size], False


def _keyset(numbers, chunk_size: int) -> Iterator[list[str]]:
    after = ""
    while True:
        chunk = list(
            numbers.filter(number__gt=after).order_by("number").distinct()[:chunk_size]
        )
        if not chunk:
            return
        yield chunk
        after = chunk[-1]
