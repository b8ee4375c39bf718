# Submissions from before every file was screened for patient identifiers
# as it arrived (outcomes.validation.screen), and before each outlier warning
# named its organisation.

import re

from django.db import migrations, models
from django.utils import timezone

from outcomes.validation import FILE_NOT_KEPT, file_error, redact, screen

# "PROP for PA1 in 2025-01-01 is 4.2 standard deviations from ...": codes
# have no spaces (their validators).
WARNING_ABOUT = re.compile(r"^\S+ for (\S+) in ")


def keep_no_patient_identifiers(apps, schema_editor):
    """A kept file of a submission that was not stored and looks like it
    holds an NHS number (one rejected for another reason first, such as a
    wrong header) is deleted, and the submission says what screening now
    says. Every stored message and file name is redacted. Each outlier
    warning is given the id of the organisation its message names, so that
    only those who may see that organisation are shown it."""
    Submission = apps.get_model("outcomes", "Submission")
    Organisation = apps.get_model("contracts", "Organisation")
    codes = dict(Organisation.objects.values_list("code", "pk"))
    for submission in Submission.objects.order_by("pk").iterator(chunk_size=500):
        before = (submission.original_name, submission.errors, submission.warnings)
        changed = set()
        if submission.status != "stored" and submission.original_file:
            try:
                with submission.original_file.open("rb") as handle:
                    screening = screen(handle.read())
            except FileNotFoundError:
                screening = None
            if screening and screening.errors:
                submission.original_file.delete(save=False)
                submission.original_file = ""
                submission.sha256 = ""
                submission.status = "rejected"
                submission.finished_at = submission.finished_at or timezone.now()
                submission.row_count = screening.rows
                submission.errors = [file_error(FILE_NOT_KEPT), *screening.errors]
                changed |= {"original_file", "sha256", "status", "finished_at", "row_count"}
        submission.original_name = redact(submission.original_name)
        submission.errors = [{**e, "message": redact(e["message"])} for e in submission.errors]
        submission.warnings = [
            {
                **warning,
                "organisation": warning.get("organisation") or _organisation(warning, codes),
                "message": redact(warning["message"]),
            }
            for warning in submission.warnings
        ]
        if (submission.original_name, submission.errors, submission.warnings) != before:
            changed |= {"original_name", "errors", "warnings"}
        if changed:
            submission.save(update_fields=sorted(changed))


def _organisation(warning, codes) -> int | None:
    about = WARNING_ABOUT.match(warning["message"])
    return codes.get(about.group(1)) if about else None


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0001_initial'),
        ("outcomes", "0019_contract_variations"),
    ]

    operations = [
        migrations.AlterField(
            model_name='submission',
            name='warnings',
            field=models.JSONField(blank=True, default=list, help_text='Outliers: [{row, organisation (its id: who may read it), message}]'),
        ),
        migrations.RunPython(keep_no_patient_identifiers, migrations.RunPython.noop),
    ]
