from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from outcomes.choices import RunTrigger
from outcomes.services.rescore import rescore_contract
from reporting.demo import assurance as assurance_demo
from reporting.demo import contracts as contracts_demo
from reporting.demo import dialogues as dialogues_demo
from reporting.demo import incentives as incentives_demo
from reporting.demo import outcomes as outcomes_demo


class Command(BaseCommand):
    help = "Load realistic demo data. Idempotent and deterministic: run it as often as you like."

    def handle(self, *args, **options):
        with transaction.atomic():
            orgs = contracts_demo.seed_organisations()
            logins = contracts_demo.seed_people(orgs)
            admin = get_user_model().objects.get(username="admin")
            metrics = outcomes_demo.seed_framework()
            every = contracts_demo.seed_contracts(orgs, metrics, admin)
            # Data, scores, dialogues and money only under agreed contracts:
            # the offer waiting for its answer binds no one yet.
            contracts = {ref: c for ref, c in every.items() if c.is_binding}
            contracts_demo.seed_notices(contracts, metrics)
            outcomes_demo.seed_measurements(contracts)
            for contract in contracts.values():
                # Unchanged inputs keep the current scores, so a rerun writes nothing.
                rescore_contract(contract.pk, RunTrigger.MANUAL, only_if_changed=True)
            dialogues_demo.seed_dialogues(contracts)
            incentives_demo.seed_incentives(contracts)
            # After the settlements: a scorecard freezes the signed-off ones' text.
            outcomes_demo.seed_scorecards(contracts)
            assurance_demo.seed_assurance()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo log-ins (password for all: {contracts_demo.DEMO_PASSWORD}):")
        for username, role in logins:
            self.stdout.write(f"  {username:<26} {role}")
