"""Publishing Celery tasks so that a broker outage loses no work.

PostgreSQL holds the work to do; Celery is only told about it. If the broker
is down when a task is published, the publish is logged and skipped and the
caller still succeeds; each app's sweep publishes the work again."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def publish(task, *args) -> bool:
    """Send `task` to the broker; False (logged) when the broker is down."""
    try:
        task.delay(*args)
    except OperationalError:
        logger.warning("Broker unreachable: %s%r left for the sweep", task.name, args)
        return False
    return True


def publish_on_commit(task, *args) -> None:
    """Publish once the caller's transaction commits, so the worker finds the
    rows (eager mode runs the task then, in this process)."""
    transaction.on_commit(lambda: publish(task, *args))
