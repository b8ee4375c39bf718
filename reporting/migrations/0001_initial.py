# Published scorecards, taken over from outcomes (its 0013 drops them from its
# state only): the tables are kept, with their rows, and renamed to reporting's.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assurance', '0006_assessment_cycle'),
        ('outcomes', '0013_published_scorecards_move_to_reporting'),
        ('contracts', '0003_notice_event_author_optional'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='HistoricalPublishedScorecard',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('contract', 'Services scorecard'), ('assurance', 'Commissioner assurance')], default='contract', max_length=10)),
                ('period_start', models.DateField(help_text='The month the scorecard reports (an assurance scorecard: 1 January of its year).')),
                ('title', models.CharField(max_length=200)),
                ('summary', models.TextField(help_text="The commissioner's summary for lay readers.")),
                ('snapshot', models.JSONField(help_text='Scores, text and chart data as published.')),
                ('published_at', models.DateTimeField(blank=True, editable=False)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawal_reason', models.TextField(blank=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('assessment_round', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assurance.assessmentround')),
                ('contract', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contracts.contract')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contracts.organisation')),
                ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical published scorecard',
                'verbose_name_plural': 'historical published scorecards',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
                'db_table': 'outcomes_historicalpublishedscorecard',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PublishedScorecard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('contract', 'Services scorecard'), ('assurance', 'Commissioner assurance')], default='contract', max_length=10)),
                ('period_start', models.DateField(help_text='The month the scorecard reports (an assurance scorecard: 1 January of its year).')),
                ('title', models.CharField(max_length=200)),
                ('summary', models.TextField(help_text="The commissioner's summary for lay readers.")),
                ('snapshot', models.JSONField(help_text='Scores, text and chart data as published.')),
                ('published_at', models.DateTimeField(auto_now_add=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawal_reason', models.TextField(blank=True)),
                ('assessment_round', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='published_scorecards', to='assurance.assessmentround')),
                ('contract', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='contracts.contract')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='contracts.organisation')),
                ('published_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-period_start', '-published_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('contract', 'organisation', 'period_start'), name='one_live_scorecard_a_period'), models.UniqueConstraint(condition=models.Q(('assessment_round__isnull', False), ('withdrawn_at__isnull', True)), fields=('assessment_round',), name='one_live_assurance_scorecard'), models.CheckConstraint(condition=models.Q(models.Q(('assessment_round__isnull', True), ('contract__isnull', False), ('kind', 'contract')), models.Q(('assessment_round__isnull', False), ('contract__isnull', True), ('kind', 'assurance')), _connector='OR'), name='scorecard_kind_matches_subject')],
                'db_table': 'outcomes_publishedscorecard',
            },
        ),
            ],
        ),
        migrations.AlterModelTable(name='historicalpublishedscorecard', table=None),
        migrations.AlterModelTable(name='publishedscorecard', table=None),
    ]
