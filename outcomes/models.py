from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from outcomes.choices import RATIO_TYPES, Aggregation, Direction, Frequency, MetricType, Side

metric_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.-]{1,39}$", "Use 2 to 40 capital letters, digits, '_', '.' or '-'."
)


class Dimension(models.Model):
    """One of the outcome dimensions (by default the five of NW London's
    Whole Systems Integrated Care), weighted in the aggregate score."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(help_text="What this dimension means, for lay readers.")
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=[MinValueValidator(0)],
        help_text="Relative weight in the aggregate outcome score (default 20 each).",
    )
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PopulationGroup(models.Model):
    """A group of people a contract serves, e.g. older people or people with
    long-term conditions."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Outcome(models.Model):
    """An outcome that matters to a population group, under a dimension;
    metrics measure it."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="outcomes")
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.PROTECT, related_name="outcomes"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "dimension", "population_group"], name="unique_outcome"
            )
        ]

    def __str__(self):
        return self.name


class Metric(models.Model):
    """A metric definition: what is measured, how, how often and by whom.
    Contracts attach metrics with their own thresholds (ContractMetric)."""

    code = models.CharField(max_length=40, unique=True, validators=[metric_code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="What it measures, in plain English for lay readers.")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="metrics")
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="metrics", null=True, blank=True
    )
    metric_type = models.CharField(max_length=20, choices=MetricType.choices)
    factor = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
        help_text="Value = numerator / denominator x factor (100 for a percentage).",
    )
    unit = models.CharField(max_length=30, blank=True, help_text='Shown after values, e.g. "%".')
    direction = models.CharField(max_length=10, choices=Direction.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    aggregation = models.CharField(
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.POOLED,
        help_text="How values combine over a longer period (ratio metrics are always pooled).",
    )
    data_source = models.CharField(max_length=200)
    submitted_by = models.CharField(max_length=20, choices=Side.choices, default=Side.PROVIDER)
    due_days = models.PositiveSmallIntegerField(
        default=20, help_text="Days after the period ends by which data is due."
    )
    is_national = models.BooleanField(
        default=False, help_text="Nationally defined (otherwise locally defined)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension__order", "code"]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def is_ratio(self) -> bool:
        return self.metric_type in RATIO_TYPES

    def clean(self):
        errors = {}
        if self.is_ratio and self.aggregation != Aggregation.POOLED:
            errors["aggregation"] = "Proportions and rates are always pooled over a period."
        if not self.is_ratio and self.aggregation == Aggregation.POOLED:
            errors["aggregation"] = (
                "Only proportions and rates can be pooled; choose mean, sum or last."
            )
        if self.outcome_id and self.dimension_id and self.outcome.dimension_id != self.dimension_id:
            errors["outcome"] = "The outcome belongs to a different dimension."
        if errors:
            raise ValidationError(errors)
