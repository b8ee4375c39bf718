# Published scorecards moved to the reporting app (reporting 0001 takes the
# models over and renames their tables). Nothing changes in the database here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0012_metric_score_peer_count"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalPublishedScorecard"),
                migrations.DeleteModel(name="PublishedScorecard"),
            ],
            database_operations=[],
        ),
    ]
