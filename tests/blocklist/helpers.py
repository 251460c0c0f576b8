"""Helpers for the block-list tests: reputations in, lists out, and an
independent oracle that says what each list must hold."""

import gzip
import json
from datetime import UTC, datetime

from apps.blocklist.regions import e164_digits, list_region_for_number
from apps.blocklist.selectors import blocklist_answer
from apps.blocklist.services import blocklist_update, entry_for_reputation
from apps.reputation.models import Reputation

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def reputation_set(number: str, *, verdict="block", label="", activity=1.0, reasons=()):
    Reputation.objects.update_or_create(
        number=number,
        defaults={
            "verdict": verdict,
            "label": label,
            "activity": activity,
            "reasons": list(reasons),
            "region": "US" if number.startswith("+1") else "",
        },
    )


def publish(*numbers: str, now=NOW):
    return blocklist_update(numbers=list(numbers), now=now)


def fetch(region="US", *, limit=None, since=None) -> dict:
    answer = blocklist_answer(region=region, limit=limit, since=since)
    return json.loads(gzip.decompress(answer.body))


def as_map(entries) -> dict[int, tuple[str, str]]:
    return {e["number"]: (e["action"], e["label"]) for e in entries}


def apply_delta(held: dict[int, tuple[str, str]], delta: dict) -> dict:
    result = dict(held)
    for number in delta["removed"]:
        result.pop(number, None)
    for entry in delta["added"]:
        result[entry["number"]] = (entry["action"], entry["label"])
    return result


def assert_well_formed(answer: dict) -> None:
    """Sorted ascending, no duplicates, nothing both added and removed."""
    if answer["full"]:
        numbers = [e["number"] for e in answer["entries"]]
        assert numbers == sorted(set(numbers))
        return
    added = [e["number"] for e in answer["added"]]
    assert added == sorted(set(added))
    assert answer["removed"] == sorted(set(answer["removed"]))
    assert not set(added) & set(answer["removed"])


def expected_list(region: str, size: int) -> dict[int, tuple[str, str]]:
    """The top ``size`` entries of ``region``, computed from scratch."""
    ranked = []
    for rep in Reputation.objects.all():
        content = entry_for_reputation(rep.verdict, rep.label, rep.reasons)
        digits = e164_digits(rep.number)
        if content is None or list_region_for_number(digits, rep.region) != region:
            continue
        ranked.append((-rep.activity, digits, content))
    ranked.sort()
    return {digits: content for _, digits, content in ranked[:size]}
