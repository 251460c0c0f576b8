"""The pure scoring functions, as tables."""

import pytest

from apps.reputation.scoring import (
    Rules,
    leading_category,
    settled_verdict,
    wilson_lower_bound,
)


@pytest.fixture
def rules(settings) -> Rules:
    settings.REPUTATION_BLOCK_SCORE = 65.0
    settings.REPUTATION_WARN_SCORE = 40.0
    settings.REPUTATION_ALLOW_SCORE = 40.0
    settings.REPUTATION_HYSTERESIS = 5.0
    return Rules.from_settings()


@pytest.mark.parametrize(
    ("positive", "total", "expected"),
    [
        (0, 0, 0.0),
        (1, 1, 0.2066),
        (2, 2, 0.3424),
        (10, 10, 0.7225),
        (5, 10, 0.2366),
        (0, 10, 0.0),
        (0.5, 0.5, 0.1152),  # One FTC complaint: half a vote.
    ],
)
def test_the_wilson_lower_bound_is_cautious_with_few_votes(positive, total, expected):
    assert wilson_lower_bound(positive, total, 1.96) == pytest.approx(
        expected, abs=1e-4
    )


@pytest.mark.parametrize(
    ("score", "not_spam", "previous", "verdict"),
    [
        (66, 0, None, "block"),
        (64, 0, None, "warn"),
        (63, 0, "block", "block"),  # Inside block's margin.
        (59, 0, "block", "warn"),
        (68, 0, "warn", "warn"),  # Over the step, not by the margin.
        (71, 0, "warn", "block"),
        (43, 0, "unknown", "unknown"),
        (46, 0, "unknown", "warn"),
        (37, 0, "warn", "warn"),
        (34, 0, "warn", "unknown"),
        (10, 42, None, "allow"),
        (10, 37, "allow", "allow"),
        (10, 33, "allow", "unknown"),
        (10, 42, "unknown", "unknown"),
        (10, 46, "unknown", "allow"),
        (70, 0, "allow", "block"),
    ],
)
def test_the_published_verdict_moves_only_by_more_than_the_margin(
    rules, score, not_spam, previous, verdict
):
    assert settled_verdict(score, not_spam, previous, rules) == verdict


@pytest.mark.parametrize(
    ("counts", "category"),
    [
        ({}, ""),
        ({"robocall": 2, "scam": 2}, "scam"),  # Ties: the earlier category.
        ({"survey": 1, "political": 3}, "political"),
        ({"other": 5, "scam": 0}, "other"),
    ],
)
def test_the_leading_category_is_the_one_most_votes_name(counts, category):
    assert leading_category(counts) == category
