"""Writes for commissioner assurance, with their rules. Each is one
transaction; bad input raises ValidationError naming the field, with nothing
saved, and acting for someone without the right raises PermissionDenied."""

from django.db import transaction

from assurance import framework
from assurance.models import Competency, GovernanceQuestion, Measure


@transaction.atomic
def load_default_framework() -> int:
    """Create the World Class Commissioning defaults that are missing, and
    return how many rows were created. Rows that exist (matched by number)
    are left alone, so an admin's edits survive a rerun."""
    created = 0
    for number, (name, description, measures) in enumerate(framework.COMPETENCIES, start=1):
        competency, made = Competency.objects.get_or_create(
            number=number, defaults={"name": name, "description": description}
        )
        created += made
        for measure_number, (title, method, evidence, statement, levels) in enumerate(
            measures, start=1
        ):
            _, made = Measure.objects.get_or_create(
                competency=competency,
                number=measure_number,
                defaults={
                    "name": title,
                    "method": method,
                    "evidence_expected": evidence,
                    "statement": statement,
                    **{f"level_{level}": text for level, text in enumerate(levels, start=1)},
                },
            )
            created += made
    for number, (title, question, evidence) in enumerate(framework.GOVERNANCE_QUESTIONS, start=1):
        _, made = GovernanceQuestion.objects.get_or_create(
            number=number,
            defaults={"title": title, "question": question, "evidence_expected": evidence},
        )
        created += made
    return created
