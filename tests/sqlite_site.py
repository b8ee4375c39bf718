"""A small Concord on a file SQLite database, for tests that run a real server
on the embedded default (tests/config/test_sqlite_concurrency.py). Run in a
process of its own with DATABASE_URL naming the file:

    python -m tests.sqlite_site

It makes the tables from the models (as `make test-sqlite` does), then a
commissioner QCOM whose contract CON-A with network NETA (member PA1)
measures EMADM, a commissioner and a network manager with an API token each,
and prints the contract's id and the tokens as JSON."""

import datetime as dt
import json


def main():
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)

    from contracts.api_tokens import create_token
    from contracts.choices import OrganisationKind, Role
    from outcomes.models import ContractMetric
    from tests.factories import (
        ContractFactory,
        MembershipFactory,
        MetricFactory,
        OrganisationFactory,
        UserFactory,
        add_contract_years,
        add_member,
    )

    commissioner = OrganisationFactory(code="QCOM", kind=OrganisationKind.COMMISSIONER)
    network = OrganisationFactory(code="NETA", kind=OrganisationKind.NETWORK)
    add_member(network, OrganisationFactory(code="PA1"))
    contract = ContractFactory(reference="CON-A", commissioner=commissioner, provider=network)
    add_contract_years(contract, [12_000_000] * 5, 12_000_000)
    ContractMetric.objects.create(
        contract=contract,
        metric=MetricFactory(),
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=30,
        target=22,
    )
    tokens = {}
    for username, organisation, role in (
        ("commissioner", commissioner, Role.COMMISSIONER),
        ("nm_a", network, Role.NETWORK_MANAGER),
    ):
        user = UserFactory(username=username)
        MembershipFactory(user=user, organisation=organisation, role=role)
        tokens[username] = create_token(user)[1]
    print(json.dumps({"contract": contract.pk, "tokens": tokens}))


if __name__ == "__main__":
    main()
