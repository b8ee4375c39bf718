# Step 3 of 4: contracts lets go of contract metric terms (outcomes 0015 took
# them) and of the notice-metric link (outcomes 0016 declares it on the
# metric), and renames the population group tables it took in 0004.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('contracts', '0004_population_groups_from_outcomes'),
        ('outcomes', '0015_contract_metrics_from_contracts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='HistoricalContractMetric'),
                migrations.DeleteModel(name='ContractMetric'),
                migrations.RemoveField(model_name='performancenotice', name='metrics'),
            ],
        ),
        migrations.AlterModelTable(name='populationgroup', table=None),
        migrations.AlterModelTable(name='historicalpopulationgroup', table=None),
    ]
