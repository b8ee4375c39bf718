import time

from django.core.management.base import BaseCommand, CommandError

from contracts.models import Contract
from outcomes.choices import RunTrigger
from outcomes.services.rescore import rescore_contract


class Command(BaseCommand):
    help = "Recompute every contract's scores (or the named ones), showing progress."

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", help="contract references (default: all)")

    def handle(self, *args, references, **options):
        contracts = Contract.objects.binding().order_by("reference")
        if references:
            contracts = contracts.filter(reference__in=references)
            missing = set(references) - set(contracts.values_list("reference", flat=True))
            if missing:
                raise CommandError(f"No contract with reference {', '.join(sorted(missing))}.")
        ids = list(contracts.values_list("pk", "reference"))
        started = time.monotonic()
        for done, (pk, reference) in enumerate(ids, start=1):
            result = rescore_contract(pk, RunTrigger.MANUAL)
            elapsed = time.monotonic() - started
            remaining = elapsed / done * (len(ids) - done)
            bar = "#" * (20 * done // len(ids))
            self.stdout.write(
                f"[{bar:<20}] {done}/{len(ids)} {reference}: "
                f"{len(result.written)} month(s) scored; about {remaining:.0f} s left"
            )
        self.stdout.write(self.style.SUCCESS(f"Rescored {len(ids)} contract(s)."))
