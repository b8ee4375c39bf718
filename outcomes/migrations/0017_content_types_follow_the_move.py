# Contract metric terms came from contracts (0015): their content types,
# permissions and admin log entries follow.

from django.db import migrations

from core.migration_helpers import DEPENDENCIES, content_types_follow


class Migration(migrations.Migration):
    dependencies = [
        *DEPENDENCIES,
        ("outcomes", "0016_notice_metrics_and_contract_metric_tables"),
    ]

    operations = [
        content_types_follow("contracts", "outcomes", ['contractmetric', 'historicalcontractmetric']),
    ]
