# SPC rebases belong to a contract (issue 21): the contract column, nullable
# until 0023 gives every existing rebase its contract (see there), and the
# old one-rebase-per-period rule gone (0024 makes it one per contract).
# Three migrations: on PostgreSQL a table cannot be altered or indexed in
# the transaction that wrote rows with deferred foreign keys to it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0007_contract_agreement"),
        ("outcomes", "0021_metric_score_small_numbers"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="spcrebase",
            options={"ordering": ["contract", "metric", "organisation", "period_start"]},
        ),
        migrations.RemoveConstraint(
            model_name="spcrebase",
            name="one_rebase_per_period",
        ),
        migrations.AddField(
            model_name="historicalspcrebase",
            name="contract",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="contracts.contract",
            ),
        ),
        migrations.AddField(
            model_name="spcrebase",
            name="contract",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="spc_rebases",
                to="contracts.contract",
            ),
        ),
    ]
