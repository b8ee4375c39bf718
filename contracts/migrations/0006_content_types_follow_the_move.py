# Population groups came from outcomes (0004): their content types, permissions
# and admin log entries follow.

from django.db import migrations

from core.migration_helpers import DEPENDENCIES, content_types_follow


class Migration(migrations.Migration):
    dependencies = [
        *DEPENDENCIES,
        ("contracts", "0005_contract_metrics_to_outcomes"),
    ]

    operations = [
        content_types_follow("outcomes", "contracts", ['populationgroup', 'historicalpopulationgroup']),
    ]
