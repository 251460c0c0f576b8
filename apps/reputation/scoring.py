"""The scoring rules: from one number's aggregated votes to its reputation.

Pure functions over plain values; the SQL that produces `Evidence` lives in
`aggregation.py`. docs/reputation.md explains each rule and its setting.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from apps.reports.models import Category

from .models import OverrideKind, Verdict

DAY = 86400.0

# The fixed reference of ``activity``: log2 of the votes' weights, each
# decayed from its call to this instant, so the ranking of two numbers does
# not change with the mere passage of time.
ACTIVITY_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

SPAM_CATEGORIES = tuple(c for c in Category.values if c != Category.NOT_SPAM)

# What phones show for the leading category; ties go to the earlier entry.
LABELS = {
    Category.SCAM: "Scam likely",
    Category.TELEMARKETING: "Telemarketer",
    Category.DEBT_COLLECTOR: "Debt collector",
    Category.ROBOCALL: "Robocall",
    Category.POLITICAL: "Political",
    Category.SURVEY: "Survey",
    Category.NONPROFIT: "Nonprofit",
    Category.SPOOFED: "Spoofed number",
    Category.OTHER: "Spam likely",
}
DEFAULT_LABEL = "Spam likely"

# Reason codes a reputation carries (the lookup adds its own).
CROWD_REPORTS = "crowd_reports"
VERIFICATION_FAILED = "verification_failed"
NEIGHBOUR_SPOOF = "neighbour_spoof"
BURST_REVIEW = "burst_review"
OVERRIDE = "override"
IDENTIFY = "identify"

CROWD_VERDICTS = frozenset({Verdict.BLOCK, Verdict.WARN})


@dataclass(frozen=True, slots=True)
class Rules:
    """The scoring settings, read once per aggregation run."""

    evidence_half_life: float
    activity_half_life: float
    recent: float
    ftc_weight: float
    new_device_weight: float
    device_ramp: float
    trust_prior_votes: float
    trust_min: float
    verification_failed_weight: float
    neighbour_spoof_weight: float
    spoof_reason_share: float
    wilson_z: float
    block_score: float
    warn_score: float
    allow_score: float
    hysteresis: float
    burst_device_age: float
    burst_min_devices: int
    established_age: float
    established_not_spam: int

    @classmethod
    def from_settings(cls) -> "Rules":
        s = settings
        return cls(
            evidence_half_life=s.REPUTATION_EVIDENCE_HALF_LIFE_DAYS * DAY,
            activity_half_life=s.REPUTATION_ACTIVITY_HALF_LIFE_DAYS * DAY,
            recent=s.REPUTATION_RECENT_DAYS * DAY,
            ftc_weight=s.FTC_REPORT_WEIGHT,
            new_device_weight=s.REPUTATION_NEW_DEVICE_WEIGHT,
            device_ramp=s.REPUTATION_DEVICE_RAMP_DAYS * DAY,
            trust_prior_votes=s.REPUTATION_TRUST_PRIOR_VOTES,
            trust_min=s.REPUTATION_TRUST_MIN,
            verification_failed_weight=s.REPUTATION_VERIFICATION_FAILED_WEIGHT,
            neighbour_spoof_weight=s.REPUTATION_NEIGHBOUR_SPOOF_WEIGHT,
            spoof_reason_share=s.REPUTATION_SPOOF_REASON_SHARE,
            wilson_z=s.REPUTATION_WILSON_Z,
            block_score=s.REPUTATION_BLOCK_SCORE,
            warn_score=s.REPUTATION_WARN_SCORE,
            allow_score=s.REPUTATION_ALLOW_SCORE,
            hysteresis=s.REPUTATION_HYSTERESIS,
            burst_device_age=s.REPUTATION_BURST_DEVICE_AGE_DAYS * DAY,
            burst_min_devices=s.REPUTATION_BURST_MIN_DEVICES,
            established_age=s.REPUTATION_ESTABLISHED_DAYS * DAY,
            established_not_spam=s.REPUTATION_ESTABLISHED_NOT_SPAM,
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number's active votes, aggregated in SQL (weights already applied).

    ``activity_sum`` is the sum of spam-vote weights each decayed with the
    short half-life from its call to *now*; ``burst_*`` cover spam votes of
    devices that were brand new when they filed; ``history_*`` every other
    vote.
    """

    number: str
    region: str
    spam_count: int
    not_spam_count: int
    reporters: int
    recent_count: int
    spam_weight: float
    not_spam_weight: float
    category_counts: dict[str, int]
    failed_count: int
    neighbour_count: int
    activity_sum: float
    burst_weight: float
    burst_devices: int
    history_count: int
    history_spam_count: int
    history_first_at: datetime | None
    first_reported_at: datetime | None
    last_reported_at: datetime | None


@dataclass(frozen=True, slots=True)
class Published:
    """What a number's reputation said before this run."""

    verdict: str
    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActiveOverride:
    kind: str
    label: str


def wilson_lower_bound(positive: float, total: float, z: float) -> float:
    """The lower bound of the Wilson score interval of ``positive / total``.

    ``total`` is a sum of weights (an effective number of votes): two votes
    out of two give about 0.34 at z=1.96, not 1.0.
    """
    if total <= 0:
        return 0.0

    share = min(1.0, max(0.0, positive / total))
    z2 = z * z
    centre = share + z2 / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total))
    return max(0.0, (centre - spread) / (1 + z2 / total))


def scores(spam_weight: float, not_spam_weight: float, rules: Rules) -> tuple:
    """(spam score, not-spam score), each 100 x a Wilson lower bound."""
    total = spam_weight + not_spam_weight
    spam = 100 * wilson_lower_bound(spam_weight, total, rules.wilson_z)
    not_spam = 100 * wilson_lower_bound(not_spam_weight, total, rules.wilson_z)
    return spam, not_spam


def raw_verdict(score: float, not_spam_score: float, rules: Rules) -> str:
    """The step ``score`` falls in, with no regard to what was published."""
    if score >= rules.block_score:
        return Verdict.BLOCK
    if score >= rules.warn_score:
        return Verdict.WARN
    if not_spam_score >= rules.allow_score:
        return Verdict.ALLOW
    return Verdict.UNKNOWN


def verdict_holds(verdict: str, score: float, not_spam: float, rules: Rules) -> bool:
    """Whether the scores are still within ``verdict``'s step widened by the
    hysteresis margin on every side."""
    m = rules.hysteresis
    if verdict == Verdict.BLOCK:
        return score >= rules.block_score - m
    if verdict == Verdict.WARN:
        return rules.warn_score - m <= score < rules.block_score + m
    if verdict == Verdict.ALLOW:
        return score < rules.warn_score + m and not_spam >= rules.allow_score - m
    return score < rules.warn_score + m and not_spam < rules.allow_score + m


def settled_verdict(
    score: float, not_spam: float, previous: str | None, rules: Rules
) -> str:
    """The published verdict moves only when the scores leave its step by
    more than the margin: drift inside a step changes nothing."""
    verdict = raw_verdict(score, not_spam, rules)
    if (
        previous
        and previous != verdict
        and verdict_holds(previous, score, not_spam, rules)
    ):
        return previous
    return verdict


def leading_category(counts: dict[str, int]) -> str:
    """The spam category most votes name; ties go to the earlier one."""
    best, best_count = "", 0
    for category in SPAM_CATEGORIES:
        count = counts.get(category, 0)
        if count > best_count:
            best, best_count = category, count
    return best


def activity(activity_sum: float, now: datetime, rules: Rules) -> float:
    """log2 of the spam weight decayed to ``ACTIVITY_EPOCH``: comparable
    across numbers and runs, higher for more and more recent spam votes."""
    if activity_sum <= 0:
        return 0.0

    offset = (now - ACTIVITY_EPOCH).total_seconds() / rules.activity_half_life
    return math.log2(activity_sum) + offset


def _established(ev: Evidence, now: datetime, rules: Rules) -> bool:
    """A number with a clean record from before any brand-new device came."""
    if ev.not_spam_count >= rules.established_not_spam:
        return True
    if ev.history_first_at is None or ev.history_count == 0:
        return False
    old = (now - ev.history_first_at).total_seconds() >= rules.established_age
    return old and ev.history_spam_count * 2 < ev.history_count


def _is_burst(ev: Evidence, verdict: str, now: datetime, rules: Rules) -> bool:
    """Brand-new devices alone carried an established number to ``block``."""
    if verdict != Verdict.BLOCK or ev.burst_devices < rules.burst_min_devices:
        return False
    if not _established(ev, now, rules):
        return False
    without_burst, _ = scores(
        max(0.0, ev.spam_weight - ev.burst_weight), ev.not_spam_weight, rules
    )
    return without_burst < rules.block_score


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def reputation_fields(
    *,
    number: str,
    evidence: Evidence | None,
    published: Published | None,
    override: ActiveOverride | None,
    rules: Rules,
    now: datetime,
) -> dict[str, Any]:
    """Every field of a number's `Reputation`, recomputed from scratch.

    ``published`` only feeds the hysteresis: recomputing twice over the same
    votes gives the same result.
    """
    ev = evidence or _no_evidence(number)
    score, not_spam = scores(ev.spam_weight, ev.not_spam_weight, rules)
    previous = published.verdict if published else None
    if published and OVERRIDE in published.reasons and override is None:
        previous = None  # A lifted override leaves no verdict to hold on to.
    verdict = settled_verdict(score, not_spam, previous, rules)

    reasons: list[str] = []
    flagged = False
    if ev.spam_count or ev.not_spam_count:
        reasons.append(CROWD_REPORTS)
    failed_share = _share(ev.failed_count, ev.spam_count)
    neighbour_share = _share(ev.neighbour_count, ev.spam_count)
    if ev.failed_count and failed_share >= rules.spoof_reason_share:
        reasons.append(VERIFICATION_FAILED)
    if ev.neighbour_count and neighbour_share >= rules.spoof_reason_share:
        reasons.append(NEIGHBOUR_SPOOF)
    if _is_burst(ev, verdict, now, rules):
        verdict, flagged = Verdict.WARN, True
        reasons.append(BURST_REVIEW)

    category = leading_category(ev.category_counts)
    label = ""
    if verdict in CROWD_VERDICTS:
        label = LABELS.get(category, DEFAULT_LABEL)
    if override is not None:
        verdict, label, reasons = _apply_override(override, label, reasons)
        flagged = False  # Staff have decided: nothing left to review.

    return {
        "number": number,
        "region": ev.region,
        "score": score,
        "verdict": verdict,
        "label": label,
        "category": category,
        "reasons": reasons,
        "spam_count": ev.spam_count,
        "not_spam_count": ev.not_spam_count,
        "reporters": ev.reporters,
        "recent_count": ev.recent_count,
        "spam_weight": ev.spam_weight,
        "not_spam_weight": ev.not_spam_weight,
        "activity": activity(ev.activity_sum, now, rules),
        "failed_verification_share": failed_share,
        "neighbour_spoof_share": neighbour_share,
        "flagged_for_review": flagged,
        "first_reported_at": ev.first_reported_at,
        "last_reported_at": ev.last_reported_at,
        "computed_at": now,
    }


def _apply_override(
    override: ActiveOverride, crowd_label: str, crowd_reasons: list[str]
) -> tuple[str, str, list[str]]:
    """Staff beat the crowd: block blocks; allow and identify are never
    blocked and show the override's label (identify also says so)."""
    if override.kind == OverrideKind.BLOCK:
        label = override.label or crowd_label or DEFAULT_LABEL
        return Verdict.BLOCK, label, [OVERRIDE, *crowd_reasons]
    if override.kind == OverrideKind.IDENTIFY:
        return Verdict.ALLOW, override.label, [OVERRIDE, IDENTIFY, *crowd_reasons]
    return Verdict.ALLOW, override.label, [OVERRIDE, *crowd_reasons]


def _no_evidence(number: str) -> Evidence:
    return Evidence(
        number=number,
        region="",
        spam_count=0,
        not_spam_count=0,
        reporters=0,
        recent_count=0,
        spam_weight=0.0,
        not_spam_weight=0.0,
        category_counts={},
        failed_count=0,
        neighbour_count=0,
        activity_sum=0.0,
        burst_weight=0.0,
        burst_devices=0,
        history_count=0,
        history_spam_count=0,
        history_first_at=None,
        first_reported_at=None,
        last_reported_at=None,
    )
