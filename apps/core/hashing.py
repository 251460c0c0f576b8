"""Stable, non-reversible identifiers for logs and rate-limit keys."""

import hashlib
import hmac

from django.conf import settings


def pseudonym(value: str) -> str:
    """A short keyed hash of ``value``: the same input gives the same tag.

    Phone numbers and tokens never go into logs or cache keys in clear; this
    tag lets an operator correlate lines without learning the value.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]
