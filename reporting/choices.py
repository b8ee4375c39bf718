"""Choices for published scorecards: one spelling each, with the colour a
value is shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class ScorecardKind(models.TextChoices):
    """What a published scorecard reports: a contract's network or provider
    for a month, or a commissioner's assurance assessment for a year."""

    CONTRACT = "contract", "Services scorecard"
    ASSURANCE = "assurance", "Commissioner assurance"


class ScorecardTrend(ColourTextChoices):
    """Whether a measure of a services scorecard is improving, by its SPC
    variation (reporting.contract_publishing.TRENDS): the word is stored in
    the published snapshot, the card shows its label and colour."""

    IMPROVING = "improving", "Improving", "blue"
    GETTING_WORSE = "getting worse", "Getting worse", "orange"
    NO_SIGNIFICANT_CHANGE = "no significant change", "No significant change", "grey"
    CHANGED_HIGHER = "changed (higher)", "Changed (higher)", "grey"
    CHANGED_LOWER = "changed (lower)", "Changed (lower)", "grey"
