"""Schemathesis hooks for fuzzing CallGuard as a registered phone.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS=hardening.fuzz_hooks``
(``hardening/fuzz.py`` sets it). Every generated request is authenticated
as a device registered through the API itself; an operation that ends the
device's life (``DELETE /devices/me/``) gets a device of its own per request,
so the rest of the run keeps a working token.
"""

from __future__ import annotations

import os

import schemathesis

from hardening.api import register

# Operations after which the token no longer works.
DESTRUCTIVE = frozenset({"devices_me_erase"})


def register_device(base_url: str) -> str:
    return register(base_url, app_version="1.0.0 (fuzz)")


def _operation_id(case) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


@schemathesis.auth(refresh_interval=None)
class DeviceToken:
    shared: str | None = None

    def get(self, case, ctx):
        base_url = os.environ["HARDENING_FUZZ_BASE_URL"]
        if _operation_id(case) in DESTRUCTIVE:
            return register_device(base_url)
        if DeviceToken.shared is None:
            DeviceToken.shared = os.environ.get(
                "HARDENING_FUZZ_TOKEN"
            ) or register_device(base_url)
        return DeviceToken.shared

    def set(self, case, data, ctx):
        if case.headers is None:
            case.headers = {}
        case.headers["Authorization"] = f"Token {data}"
