# Published scorecards came from outcomes (0001): their content types, permissions
# and admin log entries follow.

from django.db import migrations

from core.migration_helpers import DEPENDENCIES, content_types_follow


class Migration(migrations.Migration):
    dependencies = [
        *DEPENDENCIES,
        ("reporting", "0001_initial"),
    ]

    operations = [
        content_types_follow("outcomes", "reporting", ['publishedscorecard', 'historicalpublishedscorecard']),
    ]
