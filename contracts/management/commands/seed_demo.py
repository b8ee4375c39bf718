from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from contracts import demo as contracts_demo
from outcomes import demo as outcomes_demo


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
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo log-ins (password for all: {contracts_demo.DEMO_PASSWORD}):")
        for username, role in logins:
            self.stdout.write(f"  {username:<26} {role}")
