"""Choices for commissioner assurance: one spelling each, with the colour a
value is shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class Method(models.TextChoices):
    """How a World Class Commissioning measure is assessed."""

    FEEDBACK_360 = "360", "360 feedback"
    METRIC = "metric", "Metric"
    SELF_ASSESSMENT = "self", "Self assessment"
    MIX = "mix", "Mix of methods"


# Measures whose assessment draws on partners' feedback get survey statements.
FEEDBACK_METHODS = (Method.FEEDBACK_360, Method.MIX)


class Level(models.IntegerChoices):
    BELOW_BASELINE = 1, "Below baseline"
    BASELINE = 2, "Baseline"
    INTERMEDIATE = 3, "Intermediate"
    WORLD_CLASS = 4, "World class"


class Certification(ColourTextChoices):
    """The board's self-certification against a governance question."""

    IN_PLACE = "in_place", "In place", "green"
    PARTLY = "partly", "Partly in place", "yellow"
    NOT_IN_PLACE = "not_in_place", "Not in place", "red"


class PanelResult(ColourTextChoices):
    CONFIRMED = "confirmed", "Confirmed", "green"
    CHALLENGED = "challenged", "Challenged", "red"


class Agreement(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEITHER = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


AGREEING = (Agreement.AGREE, Agreement.STRONGLY_AGREE)


class RoundKind(models.TextChoices):
    """What an assessment round is, derived from the commissioner's rounds
    (assurance.cycle.round_kind), never typed in."""

    BASELINE = "baseline", "Baseline assessment"
    ANNUAL = "annual", "Annual review"
    FULL = "full", "Full review"


class RoundState(ColourTextChoices):
    SELF_ASSESSMENT = "self_assessment", "Self assessment", "blue"
    PANEL_REVIEW = "panel_review", "Panel review", "yellow"
    FINAL = "final", "Final", "green"


class RoundAction(models.TextChoices):
    """The moves between round states (assurance.cycle.TRANSITIONS)."""

    SUBMIT = "submit", "Submitted for review"
    RETURN = "return", "Returned to the commissioner"
    FINALISE = "finalise", "Finalised"


class Trend(ColourTextChoices):
    """An outcome's mean in the assessed year against the year before
    (assurance.benchmark.trend, which returns the plain value). The tag
    shows the word as it is, lower case, as in the sentences around it."""

    IMPROVING = "improving", "improving", "blue"
    WORSENING = "worsening", "worsening", "orange"
    NO_CHANGE = "no change", "no change", "grey"
