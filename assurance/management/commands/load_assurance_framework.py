from django.core.management.base import BaseCommand

from assurance.services import load_default_framework


class Command(BaseCommand):
    help = (
        "Load the World Class Commissioning assessment framework defaults that are missing. "
        "Idempotent: existing rows, and admins' edits to them, are left alone."
    )

    def handle(self, *args, **options):
        created = load_default_framework()
        self.stdout.write(
            self.style.SUCCESS(f"Assessment framework loaded ({created} rows added).")
        )
