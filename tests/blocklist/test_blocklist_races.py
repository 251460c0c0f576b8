"""A version published while an answer is being built does not leak into it."""

import threading
from unittest import mock

import pytest
from django.db import connection

from apps.blocklist import selectors
from tests.blocklist.helpers import fetch, publish, reputation_set


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_answer_holds_the_entries_of_the_version_it_names(tiers):
    reputation_set("+14155550001", verdict="block", activity=1.0)
    publish("+14155550001")
    real_plan = selectors._plan

    def plan_then_publish_elsewhere(*args, **kwargs):
        plan = real_plan(*args, **kwargs)

        def publish_version_2():
            reputation_set("+14155550002", verdict="block", activity=2.0)
            publish("+14155550002")
            connection.close()

        writer = threading.Thread(target=publish_version_2)
        writer.start()
        writer.join()
        return plan

    with mock.patch.object(selectors, "_plan", plan_then_publish_elsewhere):
        during = fetch("US")
    after = fetch("US")

    assert during["version"] == 1
    assert [e["number"] for e in during["entries"]] == [14155550001]
    assert after["version"] == 2
    assert [e["number"] for e in after["entries"]] == [14155550001, 14155550002]
