"""Demo commissioner assurance for seed_demo: the World Class Commissioning
framework defaults. Idempotent and deterministic: a rerun changes nothing."""

from assurance.services import load_default_framework


def seed_assurance(contracts) -> None:
    load_default_framework()
