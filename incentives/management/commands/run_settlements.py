from django.core.management.base import BaseCommand

from incentives import services


class Command(BaseCommand):
    help = (
        "Settle every contract year that ended in calendar year YEAR under the incentive "
        "scheme version in force (drafts; signed-off settlements are left alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="calendar year the contract years ended in")

    def handle(self, *args, year, **options):
        report = services.run_settlements(year)
        for contract_year, outcome in report:
            self.stdout.write(f"{contract_year}: {outcome}")
        skipped = sum(outcome.startswith("skipped") for _, outcome in report)
        message = f"{len(report)} contract year(s) ending in {year}; {skipped} skipped."
        self.stdout.write(self.style.WARNING(message) if skipped else self.style.SUCCESS(message))
