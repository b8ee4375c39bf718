import datetime as dt
import time

from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.demo import national


def month(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y-%m").date()


class Command(BaseCommand):
    help = (
        "Generate a synthetic national system (ICBs, trusts, networks of practices, "
        "contracts and monthly measurements) for scale testing; see docs/scaling.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=5000)
        parser.add_argument("--metrics", type=int, default=60, help="per contract")
        parser.add_argument("--years", type=int, default=5, help="of monthly measurements")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--last-month",
            type=month,
            help="YYYY-MM, the last month of data (default: last month)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="empty the whole database first (as manage.py flush: users too)",
        )

    def handle(self, *args, organisations, metrics, years, seed, last_month, replace, **options):
        try:
            size = national.shape(organisations, metrics, years)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if national.has_data():
            if not replace:
                raise CommandError(
                    "The database already has organisations or metrics: "
                    "use --replace to empty it first."
                )
            call_command("flush", interactive=False, verbosity=0)
        last_month = last_month or timezone.localdate().replace(day=1) - relativedelta(months=1)
        self.stdout.write(
            f"{size.commissioners} ICBs, {size.trusts} trusts, {size.networks} networks of "
            f"{size.practices} practices; {size.contracts} contracts x {metrics} metrics; "
            f"{size.measurements:,} measurements to {last_month:%B %Y}"
        )
        started = time.monotonic()

        def progress(done, total):
            elapsed = time.monotonic() - started
            self.stdout.write(f"  {done}/{total} organisations' measurements, {elapsed:.0f} s")

        counts = national.generate(size, seed, last_month, progress)
        self.stdout.write(
            self.style.SUCCESS(
                "Generated "
                + ", ".join(f"{count:,} {name}" for name, count in counts.items())
                + f" in {time.monotonic() - started:.1f} s."
            )
        )
