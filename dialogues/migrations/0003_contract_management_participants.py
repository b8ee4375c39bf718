"""Name the people of both parties (the commissioner's and the network's) as
participants of the contract management series made before they were, so
those meetings reach their calendar feeds."""

from django.db import migrations

PRIVATE_DATA_ROLES = ("commissioner", "network_manager", "provider_user")


def name_the_parties(apps, schema_editor):
    MeetingSeries = apps.get_model("dialogues", "MeetingSeries")
    Membership = apps.get_model("contracts", "Membership")
    series_of_notices = MeetingSeries.objects.filter(
        meeting_type="contract_management", contract__isnull=False
    ).select_related("contract")
    for series in series_of_notices:
        people = Membership.objects.filter(
            organisation_id__in=[series.contract.commissioner_id, series.contract.provider_id],
            role__in=PRIVATE_DATA_ROLES,
        ).values_list("user_id", flat=True)
        series.participants.add(*people)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_notice_event_author_optional"),
        ("dialogues", "0002_rrule_needed_except_contract_management"),
    ]

    operations = [migrations.RunPython(name_the_parties, migrations.RunPython.noop)]
