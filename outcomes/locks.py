"""Work only one process may do at a time, across workers and machines.

On PostgreSQL a session advisory lock: taken without waiting, released on
exit and, if the process dies, by the server when its connection goes, so a
redelivered task can take over at once. SQLite (the embedded default) runs
Celery tasks eagerly, one at a time, so there it always succeeds."""

from contextlib import contextmanager

from django.db import connection

# The first key of the two-part advisory lock: one namespace per kind of work.
SUBMISSION_PROCESSING = 1


@contextmanager
def held_alone(namespace: int, key: int):
    """Yield True if this process now holds the lock on (namespace, key),
    False if another process holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = key % 2**31  # the two-part form takes 32-bit keys
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
