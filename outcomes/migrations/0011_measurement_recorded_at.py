"""Measurement.recorded_at: when each revision was stored, so the audit trail
reads revisions newest first from an index instead of sorting every row by
its submission's time.

Adding the column is cheap on a large table: its default (the statement's
time) is stable, so PostgreSQL keeps it in the catalogue and rewrites
nothing. The existing rows then take their submission's time in batches of
BATCH ids, each committed on its own (the migration is not atomic), and the
index is built once they are filled."""

import django.db.models.functions.datetime
from django.db import migrations, models, transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

BATCH = 200_000


def backfill(apps, schema_editor):
    Measurement = apps.get_model("outcomes", "Measurement")
    Submission = apps.get_model("outcomes", "Submission")
    stored = Subquery(
        Submission.objects.filter(pk=OuterRef("submission_id")).values(
            at=Coalesce("finished_at", "created_at")
        )[:1]
    )
    last = Measurement.objects.aggregate(last=Max("id"))["last"] or 0
    for start in range(0, last + 1, BATCH):
        with transaction.atomic():
            Measurement.objects.filter(id__gte=start, id__lt=start + BATCH).update(
                recorded_at=stored
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("outcomes", "0010_assurance_scorecards"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="recorded_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(), editable=False
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(fields=["recorded_at", "id"], name="measurement_recorded_idx"),
        ),
    ]
