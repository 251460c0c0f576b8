import sys
import types
from unittest import mock

import pytest


@pytest.fixture
def topic_sync():
    """The push task the device services enqueue, and the enqueue calls.

    ``apps.push.tasks`` is written by another part of the project; where it is
    missing a stand-in takes its place so the enqueue can still be observed.
    """
    try:
        from apps.push.tasks import sync_device_topic_task
    except ImportError:
        module = types.ModuleType("apps.push.tasks")
        module.sync_device_topic_task = mock.Mock(name="sync_device_topic_task")
        sys.modules["apps.push.tasks"] = module
        sync_device_topic_task = module.sync_device_topic_task
        restore = True
    else:
        restore = False

    with mock.patch("apps.core.queue.enqueue") as enqueue:
        yield types.SimpleNamespace(task=sync_device_topic_task, enqueue=enqueue)

    if restore:
        del sys.modules["apps.push.tasks"]
