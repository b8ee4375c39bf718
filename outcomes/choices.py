"""Choices for metrics and measurements: one spelling each, with the colour
a status is shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class MetricType(models.TextChoices):
    PROPORTION = "proportion", "Proportion (numerator / denominator)"
    RATE = "rate", "Rate per N (numerator / denominator x factor)"
    COUNT = "count", "Count"
    VALUE = "value", "Value"
    MONEY = "money", "Money (£)"
    DAYS = "days", "Days"


RATIO_TYPES = {MetricType.PROPORTION, MetricType.RATE}


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NEUTRAL = "neutral", "Neither (context only)"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Aggregation(models.TextChoices):
    """How a metric's values combine over a longer period. Ratio metrics are
    always pooled (sum of numerators / sum of denominators)."""

    POOLED = "pooled", "Pooled ratio"
    MEAN = "mean", "Mean"
    SUM = "sum", "Sum"
    LAST = "last", "Last value"


class SubmissionStatus(ColourTextChoices):
    """Where a submission is: the stages a user sees while it is worked on."""

    RECEIVED = "received", "Received", "blue"
    VALIDATING = "validating", "Checking the rows", "blue"
    STORING = "storing", "Storing", "blue"
    STORED = "stored", "Stored", "green"
    REJECTED = "rejected", "Rejected: nothing stored", "red"
    FAILED = "failed", "Failed: nothing stored", "red"


FINISHED_SUBMISSION_STATUSES = (
    SubmissionStatus.STORED,
    SubmissionStatus.REJECTED,
    SubmissionStatus.FAILED,
)


class Channel(models.TextChoices):
    WEB = "web", "Upload in the browser"
    API = "api", "API"
    COMMAND = "command", "import_measurements command"


class ReviewStatus(ColourTextChoices):
    ACCEPTED = "accepted", "Accepted (locked)", "green"
    QUERIED = "queried", "Queried", "orange"
    UNLOCKED = "unlocked", "Unlocked for resubmission", "yellow"


class RunTrigger(models.TextChoices):
    SUBMISSION = "submission", "After a submission"
    NIGHTLY = "nightly", "Nightly full rescore"
    MANUAL = "manual", "Started by hand"


class RescoreStatus(ColourTextChoices):
    QUEUED = "queued", "Waiting to start", "grey"
    RUNNING = "running", "Recalculating", "blue"
    DONE = "done", "Done", "green"
    FAILED = "failed", "Failed", "red"


OPEN_RESCORE_STATUSES = (RescoreStatus.QUEUED, RescoreStatus.RUNNING)
