"""Measurement.recorded_at written on SQLite as Django writes a datetime
(core.functions.DatabaseNow), so the audit trail's cursors compare with it.

The rows the old default wrote there ('YYYY-MM-DD HH:MM:SS.SSS') are
rewritten the same way. Only SQLite keeps datetimes as text: PostgreSQL
keeps a timestamp, so its rows are already right and its default is the
same statement time as before (setting it rewrites nothing)."""

from django.db import migrations, models

import core.functions

# Milliseconds padded to microseconds, and no fraction when it is zero.
AS_DJANGO_WRITES = """
    UPDATE outcomes_measurement
    SET recorded_at = REPLACE(recorded_at || '000', '.000000', '')
    WHERE recorded_at GLOB '????-??-?? ??:??:??.???'
"""


def rewrite_milliseconds(apps, schema_editor):
    # Only SQLite stores the time as text that can be in the wrong form.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(AS_DJANGO_WRITES)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0013_published_scorecards_move_to_reporting"),
    ]

    operations = [
        migrations.AlterField(
            model_name="measurement",
            name="recorded_at",
            field=models.DateTimeField(db_default=core.functions.DatabaseNow(), editable=False),
        ),
        migrations.RunPython(rewrite_milliseconds, migrations.RunPython.noop),
    ]
