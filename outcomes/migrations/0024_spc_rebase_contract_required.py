# A rebase's contract is required, and a contract's series is rebased once
# per period (0023 gave every rebase its contract). Its own migration: on
# PostgreSQL a table cannot be altered in the transaction that wrote rows
# with deferred foreign keys to it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outcomes", "0023_spc_rebases_belong_to_a_contract"),
    ]

    operations = [
        migrations.AlterField(
            model_name="spcrebase",
            name="contract",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="spc_rebases",
                to="contracts.contract",
            ),
        ),
        migrations.AddConstraint(
            model_name="spcrebase",
            constraint=models.UniqueConstraint(
                fields=("contract", "metric", "organisation", "period_start"),
                name="one_rebase_per_contract_period",
            ),
        ),
    ]
