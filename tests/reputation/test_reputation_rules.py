"""Each scoring rule, through a real aggregation run over real rows."""

from datetime import timedelta

import pytest

from apps.reports.models import Category, Verification
from apps.reputation.models import Override, OverrideKind, Verdict
from apps.reputation.services import reputations_recompute_all
from tests.reputation.factories import (
    NOW,
    aggregate,
    reputation,
    touch,
    vote,
    voter,
    votes,
)

pytestmark = pytest.mark.django_db

A, B, C, D = "+14152000001", "+14152000002", "+14152000003", "+14152000004"
DECAY_1_DAY = 2 ** (-1 / 90)


def test_two_spam_votes_are_not_yet_a_warning():
    votes(A, 2)

    aggregate()

    rep = reputation(A)
    assert rep.verdict == Verdict.UNKNOWN
    assert 30 < rep.score < 40  # Wilson lower bound, not "100% spam".
    assert rep.spam_count == 2


@pytest.mark.parametrize(
    ("count", "verdict"),
    [(1, Verdict.UNKNOWN), (4, Verdict.WARN), (10, Verdict.BLOCK)],
)
def test_more_agreeing_reporters_raise_the_verdict_step_by_step(count, verdict):
    votes(A, count)

    aggregate()

    assert reputation(A).verdict == verdict


def test_older_reports_weigh_less_in_the_verdict():
    votes(A, 5, days_ago=1)
    votes(B, 5, days_ago=181, age_days=400)  # Two evidence half-lives earlier.

    aggregate()

    recent, old = reputation(A), reputation(B)
    assert old.spam_weight == pytest.approx(recent.spam_weight / 4, rel=1e-6)
    assert old.score < recent.score


def test_activity_ranks_fresh_campaigns_first_and_does_not_move_with_the_clock():
    votes(A, 3, days_ago=0.5)  # A small campaign, today.
    votes(B, 10, days_ago=20)  # A bigger one, three weeks ago.
    aggregate()
    first = {n: reputation(n).activity for n in (A, B)}

    touch(A, B)
    aggregate(now=NOW + timedelta(days=30))
    later = {n: reputation(n).activity for n in (A, B)}

    assert first[A] > first[B]
    assert later == pytest.approx(first, rel=1e-9)


def test_one_device_is_one_vote_however_often_it_reports():
    device = voter()
    for days_ago in (2, 3, 4, 5):  # Superseded earlier reports.
        vote(A, device=device, days_ago=days_ago, active=False)
    vote(A, device=device, days_ago=1)

    aggregate()

    rep = reputation(A)
    assert (rep.spam_count, rep.reporters) == (1, 1)
    assert rep.spam_weight == pytest.approx(DECAY_1_DAY)


def test_each_ftc_complaint_is_a_reporter_of_its_own_at_a_lower_weight():
    for _ in range(4):
        vote(A, device=None)

    aggregate()

    rep = reputation(A)
    assert rep.reporters == 4
    assert rep.spam_weight == pytest.approx(4 * 0.5 * DECAY_1_DAY)


@pytest.mark.parametrize(
    ("device_age_days", "weight"),
    [
        (1, 0.25),  # Registered minutes before it reported.
        (1 + 7, 0.25 + 0.75 * 7 / 14),  # Half way up the ramp.
        (1 + 30, 1.0),  # A track record.
    ],
)
def test_a_new_device_weighs_less_than_an_established_one(device_age_days, weight):
    vote(A, device=voter(age_days=device_age_days))

    aggregate()

    expected = weight * DECAY_1_DAY
    assert reputation(A).spam_weight == pytest.approx(expected, rel=1e-3)


def test_a_device_that_keeps_contradicting_the_crowd_loses_weight():
    contrarian, agreeing = voter(), voter()
    for number in (A, B, C):
        votes(number, 12)
        vote(number, device=contrarian, category=Category.NOT_SPAM)
        vote(number, device=agreeing)
    aggregate()
    assert {reputation(n).verdict for n in (A, B, C)} == {Verdict.BLOCK}

    reputations_recompute_all(now=NOW)
    vote(D, device=contrarian)
    vote("+14152000005", device=agreeing)
    aggregate()

    contrarian.refresh_from_db()
    agreeing.refresh_from_db()
    assert (contrarian.agreements, contrarian.disagreements) == (0, 3)
    assert contrarian.trust == pytest.approx(3 / 6)
    assert (agreeing.agreements, agreeing.trust) == (3, 1.0)
    assert reputation(D).spam_weight == pytest.approx(0.5 * DECAY_1_DAY)
    assert reputation("+14152000005").spam_weight == pytest.approx(DECAY_1_DAY)


def test_not_spam_votes_from_other_devices_pull_a_number_back():
    votes(A, 10)
    aggregate()
    assert reputation(A).verdict == Verdict.BLOCK

    votes(A, 7, category=Category.NOT_SPAM)
    aggregate()

    rep = reputation(A)
    assert rep.verdict == Verdict.UNKNOWN
    assert rep.not_spam_count == 7


def test_spam_votes_on_calls_that_failed_verification_are_spoofing_evidence():
    votes(A, 10, verification=Verification.FAILED)
    votes(B, 10, verification=Verification.PASSED)

    aggregate()

    spoofed, genuine = reputation(A), reputation(B)
    assert spoofed.spam_weight == pytest.approx(0.3 * genuine.spam_weight)
    assert spoofed.failed_verification_share == 1.0
    assert "verification_failed" in spoofed.reasons
    assert spoofed.verdict != Verdict.BLOCK
    assert genuine.verdict == Verdict.BLOCK
    assert "verification_failed" not in genuine.reasons


def test_ftc_complaints_from_the_callers_own_area_code_are_neighbour_spoofing():
    for _ in range(6):
        vote(A, device=None, consumer_area_code="415")  # A is +1 415 ...
    for _ in range(6):
        vote(B, device=None, consumer_area_code="212")

    aggregate()

    neighbour, far = reputation(A), reputation(B)
    assert neighbour.neighbour_spoof_share == 1.0
    assert "neighbour_spoof" in neighbour.reasons
    assert neighbour.spam_weight == pytest.approx(0.3 * far.spam_weight)
    assert far.neighbour_spoof_share == 0.0
    assert "neighbour_spoof" not in far.reasons


def test_drift_inside_a_step_leaves_the_published_verdict_alone():
    votes(A, 10)
    aggregate()
    assert reputation(A).verdict == Verdict.BLOCK

    votes(A, 1, category=Category.NOT_SPAM)
    aggregate()
    drifted = reputation(A)
    votes(B, 10)
    votes(B, 1, category=Category.NOT_SPAM)
    aggregate()

    # The same votes from scratch fall in the warn step; A held on to block.
    assert 60 < drifted.score < 65
    assert drifted.verdict == Verdict.BLOCK
    assert reputation(B).verdict == Verdict.WARN

    votes(A, 1, category=Category.NOT_SPAM)
    aggregate()

    assert reputation(A).verdict == Verdict.WARN


@pytest.mark.parametrize(
    ("kind", "verdict", "label", "reasons"),
    [
        (OverrideKind.BLOCK, Verdict.BLOCK, "Fraud ring", ["override"]),
        (OverrideKind.ALLOW, Verdict.ALLOW, "City pharmacy", ["override"]),
        (
            OverrideKind.IDENTIFY,
            Verdict.ALLOW,
            "Debt collector Inc",
            ["override", "identify"],
        ),
    ],
)
def test_an_override_beats_the_crowd_until_it_is_lifted(kind, verdict, label, reasons):
    crowd = Verdict.BLOCK if kind != OverrideKind.BLOCK else Verdict.ALLOW
    if crowd == Verdict.BLOCK:
        votes(A, 12)
    else:
        votes(A, 6, category=Category.NOT_SPAM)
    aggregate()
    assert reputation(A).verdict == crowd

    override = Override.objects.create(number=A, kind=kind, label=label, created_at=NOW)
    touch(A)
    aggregate()
    overridden = reputation(A)
    override.lifted_at = NOW
    override.save()
    touch(A)
    aggregate()

    assert overridden.verdict == verdict
    assert overridden.label == label
    assert overridden.reasons[: len(reasons)] == reasons
    assert reputation(A).verdict == crowd
    assert "override" not in reputation(A).reasons


def test_an_override_on_a_number_nobody_reported_is_published():
    Override.objects.create(
        number=A, kind=OverrideKind.BLOCK, label="Fraud", created_at=NOW
    )
    touch(A)

    aggregate()

    rep = reputation(A)
    assert (rep.verdict, rep.label, rep.region) == (Verdict.BLOCK, "Fraud", "US")


def test_a_burst_of_brand_new_devices_against_an_established_number_caps_at_warn():
    vote(A, device=voter(age_days=400), category=Category.NOT_SPAM, days_ago=60)
    votes(A, 60, age_days=1)  # Sixty phones registered minutes before.
    votes(B, 60, age_days=1)  # The same against a number with no history.

    aggregate()

    established, unknown = reputation(A), reputation(B)
    assert established.score >= 65  # Enough to block, were it not a burst.
    assert established.verdict == Verdict.WARN
    assert established.flagged_for_review is True
    assert "burst_review" in established.reasons
    assert unknown.verdict == Verdict.BLOCK
    assert unknown.flagged_for_review is False


def test_established_reporters_can_still_block_an_established_number():
    vote(A, device=voter(age_days=400), category=Category.NOT_SPAM, days_ago=60)
    votes(A, 60, age_days=1)
    votes(A, 15)  # Phones with a track record agree.

    aggregate()

    rep = reputation(A)
    assert rep.verdict == Verdict.BLOCK
    assert not rep.flagged_for_review


@pytest.mark.parametrize(
    ("categories", "label", "category"),
    [
        ([Category.SCAM] * 3 + [Category.ROBOCALL] * 2, "Scam likely", "scam"),
        ([Category.TELEMARKETING] * 4, "Telemarketer", "telemarketing"),
        ([Category.DEBT_COLLECTOR] * 4, "Debt collector", "debt_collector"),
        ([Category.POLITICAL] * 4, "Political", "political"),
        ([Category.SURVEY] * 4, "Survey", "survey"),
        ([Category.NONPROFIT] * 4, "Nonprofit", "nonprofit"),
        ([Category.ROBOCALL] * 4, "Robocall", "robocall"),
        ([Category.OTHER] * 4, "Spam likely", "other"),
    ],
)
def test_the_label_comes_from_the_leading_category(categories, label, category):
    for each in categories:
        vote(A, device=voter(), category=each)

    aggregate()

    rep = reputation(A)
    assert rep.verdict in (Verdict.WARN, Verdict.BLOCK)
    assert (rep.label, rep.category) == (label, category)


def test_counts_dates_and_reasons_describe_the_votes():
    vote(A, device=voter(), days_ago=20)
    vote(A, device=voter(), days_ago=3)
    vote(A, device=voter(), days_ago=1, category=Category.NOT_SPAM)
    vote(A, device=None, days_ago=10)

    aggregate()

    rep = reputation(A)
    assert (rep.spam_count, rep.not_spam_count, rep.reporters) == (3, 1, 4)
    assert rep.recent_count == 2
    assert rep.first_reported_at == NOW - timedelta(days=20)
    assert rep.last_reported_at == NOW - timedelta(days=1)
    assert rep.reasons == ["crowd_reports"]
    assert rep.region == "US"


def test_a_number_whose_votes_were_all_retracted_returns_to_unknown():
    reports = votes(A, 12)
    aggregate()
    assert reputation(A).verdict == Verdict.BLOCK

    for report in reports:
        report.active = False
        report.save()
    touch(A)
    aggregate()

    rep = reputation(A)
    assert (rep.verdict, rep.spam_count, rep.reporters, rep.label) == (
        Verdict.UNKNOWN,
        0,
        0,
        "",
    )
