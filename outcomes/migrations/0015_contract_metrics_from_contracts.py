# Step 2 of 4 of moving models between contracts and outcomes: outcomes lets
# go of population groups (contracts 0004 took them) and takes over contract
# metric terms, on contracts' tables (renamed in outcomes 0016). The database
# is unchanged here.
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('contracts', '0004_population_groups_from_outcomes'),
        ('outcomes', '0014_measurement_recorded_at_as_django_writes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='outcome',
                    name='population_group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outcomes', to='contracts.populationgroup'),
                ),
                migrations.AlterField(
                    model_name='historicaloutcome',
                    name='population_group',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contracts.populationgroup'),
                ),
                migrations.DeleteModel(
                    name='HistoricalPopulationGroup',
                ),
                migrations.DeleteModel(
                    name='PopulationGroup',
                ),
                migrations.CreateModel(
                    name='ContractMetric',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField()),
                        ('minimum_threshold', models.DecimalField(decimal_places=4, max_digits=14)),
                        ('target', models.DecimalField(decimal_places=4, help_text='The aspirational target.', max_digits=14)),
                        ('baseline', models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True)),
                        ('weight', models.DecimalField(decimal_places=2, default=1, help_text='Weight within its dimension.', max_digits=6, validators=[django.core.validators.MinValueValidator(0)])),
                        ('is_national', models.BooleanField(default=False, help_text='Nationally mandated (otherwise locally negotiated).')),
                        ('accountable', models.CharField(choices=[('provider', 'Provider side'), ('commissioner', 'Commissioner side')], default='provider', help_text="Which party is accountable: commissioners' obligations are metrics too.", max_length=20)),
                        ('reason', models.CharField(blank=True, help_text='Why this version was made.', max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='metric_versions', to='contracts.contract')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('metric', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outcomes.metric')),
                    ],
                    options={
                        'ordering': ['contract', 'metric__code', 'effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('contract', 'metric', 'effective_from'), name='unique_contract_metric_version'), models.CheckConstraint(condition=models.Q(('target', models.F('minimum_threshold')), _negated=True), name='contract_metric_target_differs_from_minimum'), models.CheckConstraint(condition=models.Q(('weight__gte', 0)), name='contract_metric_weight_not_negative')],
                        'db_table': 'contracts_contractmetric',
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalContractMetric',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('effective_from', models.DateField()),
                        ('minimum_threshold', models.DecimalField(decimal_places=4, max_digits=14)),
                        ('target', models.DecimalField(decimal_places=4, help_text='The aspirational target.', max_digits=14)),
                        ('baseline', models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True)),
                        ('weight', models.DecimalField(decimal_places=2, default=1, help_text='Weight within its dimension.', max_digits=6, validators=[django.core.validators.MinValueValidator(0)])),
                        ('is_national', models.BooleanField(default=False, help_text='Nationally mandated (otherwise locally negotiated).')),
                        ('accountable', models.CharField(choices=[('provider', 'Provider side'), ('commissioner', 'Commissioner side')], default='provider', help_text="Which party is accountable: commissioners' obligations are metrics too.", max_length=20)),
                        ('reason', models.CharField(blank=True, help_text='Why this version was made.', max_length=300)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('contract', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contracts.contract')),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('metric', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='outcomes.metric')),
                    ],
                    options={
                        'verbose_name': 'historical contract metric',
                        'verbose_name_plural': 'historical contract metrics',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                        'db_table': 'contracts_historicalcontractmetric',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AlterField(
                    model_name='metricscore',
                    name='contract_metric',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outcomes.contractmetric'),
                ),
            ],
        ),
    ]
