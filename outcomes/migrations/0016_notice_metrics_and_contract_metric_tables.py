# Step 4 of 4: the notice-metric link is declared on the metric (its table,
# created by contracts 0001, is renamed to outcomes'), and the contract metric
# tables outcomes took in 0015 are renamed to outcomes'.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('contracts', '0005_contract_metrics_to_outcomes'),
        ('outcomes', '0015_contract_metrics_from_contracts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AddField(
                    model_name='metric',
                    name='notices',
                    field=models.ManyToManyField(
                        blank=True,
                        related_name='metrics',
                        to='contracts.performancenotice',
                        db_table='contracts_performancenotice_metrics',
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='metric',
            name='notices',
            field=models.ManyToManyField(
                blank=True, related_name='metrics', to='contracts.performancenotice'
            ),
        ),
        migrations.AlterModelTable(name='contractmetric', table=None),
        migrations.AlterModelTable(name='historicalcontractmetric', table=None),
    ]
