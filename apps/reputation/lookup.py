"""What the server answers about a caller while the phone rings.

The rules, in order (the first that decides wins; later ones may still add
a reason):

1. Withheld caller ID: ``unknown`` [withheld]. Not a number: ``unknown``
   [not_a_number].
2. The device's own list: ``allow`` [personal_allow] or ``block``
   [personal_block] (any allow beats any block; exact numbers or ranges).
3. An invalid number: ``block`` on the NANP (+1), where no real caller has
   one, ``warn`` elsewhere; [invalid_number, <the normaliser's reason>].
4. The crowd's reputation (with staff overrides folded in by aggregation).
5. A caller sharing the first six digits of the phone's own NANP number,
   without a good record: at least ``warn`` [neighbour_spoof].
6. ``verification=failed`` from the phone adds [verification_failed] and
   turns a clean ``unknown`` into ``warn``.

No database query when the device, its list and the reputations are cached.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from apps.devices.models import Device
from apps.lists.models import Action
from apps.lists.selectors import (
    Rule,
    device_rules,
    device_rules_key,
    device_rules_uncached,
    rule_match,
)
from apps.numbers.normalize import CallerId, Kind, normalize
from apps.numbers.selectors import inactive_area_codes
from apps.reports.models import Verification

from .cache import cache_read, reputation_key
from .models import Verdict
from .scoring import NEIGHBOUR_SPOOF, OVERRIDE, VERIFICATION_FAILED
from .selectors import reputations_get_many

WITHHELD = "withheld"
NOT_A_NUMBER = "not_a_number"
INVALID_NUMBER = "invalid_number"
PERSONAL_ALLOW = "personal_allow"
PERSONAL_BLOCK = "personal_block"

_SEVERITY = {Verdict.ALLOW: 0, Verdict.UNKNOWN: 1, Verdict.WARN: 2, Verdict.BLOCK: 3}
_NO_COUNTS = {"spam": 0, "not_spam": 0, "reporters": 0, "recent": 0}


def lookup_numbers(
    *,
    device: Device,
    raws: Sequence[str],
    region: str | None,
    verification: str | None,
) -> list[dict[str, Any]]:
    """One answer per caller ID in ``raws``, in the same order."""
    region = region or device.region
    inactive = inactive_area_codes()
    callers = [_caller(raw, region, inactive) for raw in raws]
    numbers = list(dict.fromkeys(c.e164 for c in callers if c.e164 and _has_number(c)))
    reputations, rules = _reputations_and_rules(device, numbers)
    own_prefix = own_prefix6(device.phone_number)
    return [
        _answer(
            caller,
            reputations.get(caller.e164 or ""),
            rules=rules,
            own_prefix=own_prefix,
            verification=verification,
        )
        for caller in callers
    ]


@lru_cache(maxsize=16384)
def _caller(raw: str, region: str, inactive: frozenset[str]) -> CallerId:
    """The normalised caller ID, remembered: a campaign rings many phones
    from the same numbers. ``inactive`` (NANPA's unused area codes) is part
    of the key, so a new import is honoured."""
    return normalize(raw, region, inactive_area_codes=inactive)


def _reputations_and_rules(
    device: Device, numbers: list[str]
) -> tuple[dict[str, dict], tuple[Rule, ...]]:
    """Reputations and the device's rules, read from the cache together in
    one round trip; whatever it lacks comes from the database."""
    if not numbers:
        return {}, ()

    rules_key = device_rules_key(device.pk)
    cached = cache_read([rules_key, *map(reputation_key, numbers)])
    if cached is None:  # The cache is down: the database answers.
        return reputations_get_many(numbers=numbers), device_rules_uncached(device.pk)
    rules = device_rules(device.pk, cached=cached.get(rules_key))
    return reputations_get_many(numbers=numbers, cached=cached), rules


def own_prefix6(phone_number: str) -> str | None:
    """The first six national digits (NPA-NXX) of the phone's own +1 number,
    if it gave that many."""
    digits = (phone_number or "").removeprefix("+")
    if digits.startswith("1") and len(digits) >= 7 and digits.isdigit():
        return digits[1:7]
    return None


def _has_number(caller: CallerId) -> bool:
    return caller.kind in (Kind.VALID, Kind.INVALID)


def _answer(
    caller: CallerId,
    reputation: dict[str, Any] | None,
    *,
    rules: tuple[Rule, ...],
    own_prefix: str | None,
    verification: str | None,
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "number": caller.e164,
        "kind": caller.kind.value,
        "line_type": caller.line_type,
        "verdict": Verdict.UNKNOWN.value,
        "score": 0.0,
        "label": "",
        "category": "",
        "counts": _NO_COUNTS,
        "last_reported_at": None,
        "reasons": [],
    }
    if caller.kind is Kind.WITHHELD:
        answer["reasons"] = [WITHHELD]
        return answer
    if caller.kind is Kind.NOT_A_NUMBER or caller.e164 is None:
        answer["reasons"] = [NOT_A_NUMBER]
        return answer

    if reputation is not None:
        answer.update(reputation)
        answer["reasons"] = list(reputation["reasons"])
    crowd_reasons = answer["reasons"]

    rule = rule_match(rules, caller.e164) if rules else None
    if rule is not None:
        allow = rule.action == Action.ALLOW
        answer["verdict"] = Verdict.ALLOW.value if allow else Verdict.BLOCK.value
        answer["reasons"] = [
            PERSONAL_ALLOW if allow else PERSONAL_BLOCK,
            *crowd_reasons,
        ]
        answer["label"] = rule.label or answer["label"]
    elif caller.kind is Kind.INVALID:
        nanp = caller.e164.startswith("+1")
        floor = Verdict.BLOCK if nanp else Verdict.WARN
        answer["verdict"] = _worse(answer["verdict"], floor)
        extra = [caller.reason.value] if caller.reason else []
        answer["reasons"] = [INVALID_NUMBER, *extra, *crowd_reasons]
    elif _neighbour(caller, own_prefix, answer):
        answer["verdict"] = _worse(answer["verdict"], Verdict.WARN)
        _add_reason(answer, NEIGHBOUR_SPOOF)

    if verification == Verification.FAILED:
        _add_reason(answer, VERIFICATION_FAILED)
        if answer["verdict"] == Verdict.UNKNOWN:
            answer["verdict"] = Verdict.WARN.value
    return answer


def _neighbour(caller: CallerId, own_prefix: str | None, answer: dict) -> bool:
    """Same NPA-NXX as the phone itself, and nothing vouches for the caller."""
    if own_prefix is None or caller.national_prefix6 != own_prefix:
        return False
    vouched = answer["verdict"] == Verdict.ALLOW or OVERRIDE in answer["reasons"]
    return not vouched


def _worse(verdict: str, floor: str) -> str:
    return verdict if _SEVERITY[Verdict(verdict)] >= _SEVERITY[floor] else floor.value


def _add_reason(answer: dict, reason: str) -> None:
    if reason not in answer["reasons"]:
        answer["reasons"] = [*answer["reasons"], reason]
