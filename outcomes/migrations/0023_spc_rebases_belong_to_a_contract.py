# SPC rebases belong to a contract (issue 21): one commissioner's rebase no
# longer changes another commissioner's charts of the same provider.
#
# Each existing rebase goes to the contracts it was made for: the agreed
# contracts (accepted or terminated) that hold its metric and cover its
# organisation (as the provider, a member of the provider network, or the
# commissioner) and whose commissioner its creator speaks for. A rebase made
# by someone who speaks for no such commissioner (an admin) goes to every
# agreed contract holding the metric for the organisation, the charts it
# changed until now. Where several contracts qualify, the rebase is kept on
# the first and copied to each of the others (the same month, reason, author
# and time). A rebase that no agreed contract holds changed no contract's
# chart and is removed. Each change is in the rebase's history with the
# reason. 0024 then makes the contract required and unique per period.

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

BINDING = ("accepted", "terminated")
KEPT = "Rebases belong to a contract: kept for this one"
COPIED = "Rebases belong to a contract: copied to this one"
REMOVED = "Rebases belong to a contract: no agreed contract holds it"


def _contracts_for(rebase, Contract, Membership) -> list[int]:
    org = rebase.organisation_id
    holding = Contract.objects.filter(
        Q(provider_id=org) | Q(provider__member_links__provider_id=org) | Q(commissioner_id=org),
        status__in=BINDING,
        metric_versions__metric_id=rebase.metric_id,
    )
    speaks_for = Membership.objects.filter(
        user_id=rebase.created_by_id, role="commissioner"
    ).values("organisation_id")
    own = sorted(set(holding.filter(commissioner_id__in=speaks_for).values_list("pk", flat=True)))
    return own or sorted(set(holding.values_list("pk", flat=True)))


def give_rebases_their_contracts(apps, schema_editor):
    SpcRebase = apps.get_model("outcomes", "SpcRebase")
    Historical = apps.get_model("outcomes", "HistoricalSpcRebase")
    Contract = apps.get_model("contracts", "Contract")
    Membership = apps.get_model("contracts", "Membership")
    now = timezone.now()

    def record(rebase, kind, reason):
        Historical.objects.create(
            id=rebase.pk,
            contract_id=rebase.contract_id,
            metric_id=rebase.metric_id,
            organisation_id=rebase.organisation_id,
            period_start=rebase.period_start,
            reason=rebase.reason,
            created_by_id=rebase.created_by_id,
            created_at=rebase.created_at,
            history_date=now,
            history_type=kind,
            history_change_reason=reason,
        )

    for rebase in SpcRebase.objects.order_by("pk"):
        contracts = _contracts_for(rebase, Contract, Membership)
        if not contracts:
            record(rebase, "-", REMOVED)
            rebase.delete()
            continue
        first, *others = contracts
        rebase.contract_id = first
        rebase.save(update_fields=["contract"])
        record(rebase, "~", KEPT)
        for contract_id in others:
            copy = SpcRebase.objects.create(
                contract_id=contract_id,
                metric_id=rebase.metric_id,
                organisation_id=rebase.organisation_id,
                period_start=rebase.period_start,
                reason=rebase.reason,
                created_by_id=rebase.created_by_id,
            )
            # created_at is auto_now_add: keep the original's time.
            SpcRebase.objects.filter(pk=copy.pk).update(created_at=rebase.created_at)
            copy.created_at = rebase.created_at
            record(copy, "+", COPIED)


class Migration(migrations.Migration):

    dependencies = [
        ("outcomes", "0022_spc_rebase_contract"),
    ]

    operations = [
        migrations.RunPython(give_rebases_their_contracts, migrations.RunPython.noop),
    ]
