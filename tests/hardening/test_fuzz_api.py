"""Schemathesis against the production server, from the API's own schema."""

import os

import pytest

from hardening.fuzz import run_fuzz

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

# CI size; `python -m hardening.fuzz --max-examples 500` is the release run.
MAX_EXAMPLES = int(os.environ.get("HARDENING_FUZZ_EXAMPLES", "20"))


def _operations(stack) -> int:
    _, _, schema = stack.request("GET", "/api/schema/?format=json")
    methods = {"get", "put", "post", "patch", "delete"}
    return sum(
        1 for item in schema["paths"].values() for method in item if method in methods
    )


def test_fuzzing_every_operation_finds_no_server_error_or_schema_breach(healthy):
    result = run_fuzz(healthy.web, max_examples=MAX_EXAMPLES)

    assert result.clean, result.summary() + "\n" + result.output[-6000:]
    assert result.operations == _operations(healthy)
    assert result.test_cases > 0
    assert result.requests > 0
    assert result.server_errors == 0
