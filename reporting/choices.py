"""Choices for published scorecards: one spelling each."""

from django.db import models


class ScorecardKind(models.TextChoices):
    """What a published scorecard reports: a contract's network or provider
    for a month, or a commissioner's assurance assessment for a year."""

    CONTRACT = "contract", "Services scorecard"
    ASSURANCE = "assurance", "Commissioner assurance"
