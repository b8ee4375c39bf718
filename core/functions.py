"""Database functions Django's own do not quite cover."""

from django.db.models.functions import Now


class DatabaseNow(Now):
    """The database's current time, as `Now`, for a `db_default`.

    SQLite has no datetime type: Django stores and compares datetimes there
    as text, 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, with no fraction at all
    when it is zero (str() of a datetime). SQLite compares that text as
    text, so a time is only equal to, and in order with, the times Django
    passes as parameters when it is written the same way. Django's `Now`
    writes milliseconds on SQLite ('...:04.691'), which compares as earlier
    than the very same time from Django ('...:04.691000'): a keyset cursor
    taken from such a row then finds the row still ahead of it. This writes
    Django's form: the milliseconds padded to microseconds, and no fraction
    when they are zero. PostgreSQL stores a timestamp and is as `Now`."""

    def as_sqlite(self, compiler, connection, **extra_context):
        # The %%%% survive the template's formatting and then the query's.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "REPLACE(STRFTIME('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f', 'NOW') || '000', "
                "'.000000', '')"
            ),
            **extra_context,
        )
