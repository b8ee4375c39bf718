from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from assurance import demo as assurance_demo
from contracts import demo as contracts_demo
from dialogues import demo as dialogues_demo
from incentives import demo as incentives_demo
from outcomes import demo as outcomes_demo
from outcomes.choices import RunTrigger
from outcomes.rescore import rescore_contract


class Command(BaseCommand):
    help = "Load realistic demo data. Idempotent and deterministic: run it as often as you like."

    def handle(self, *args, **options):
        with transaction.atomic():
            orgs = contracts_demo.seed_organisations()
            logins = contracts_demo.seed_people(orgs)
            admin = get_user_model().objects.get(username="admin")
            metrics = outcomes_demo.seed_framework()
            contracts = contracts_demo.seed_contracts(orgs, metrics, admin)
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
