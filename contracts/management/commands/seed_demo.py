from django.core.management.base import BaseCommand
from django.db import transaction

from contracts import demo


class Command(BaseCommand):
    help = "Load realistic demo data. Idempotent and deterministic: run it as often as you like."

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role in logins:
            self.stdout.write(f"  {username:<26} {role}")
