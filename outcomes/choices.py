"""Choices for metrics and measurements: one spelling each."""

from django.db import models


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


class SubmissionStatus(models.TextChoices):
    """Where a submission is: the stages a user sees while it is worked on."""

    RECEIVED = "received", "Received"
    VALIDATING = "validating", "Checking the rows"
    STORING = "storing", "Storing"
    STORED = "stored", "Stored"
    REJECTED = "rejected", "Rejected: nothing stored"
    FAILED = "failed", "Failed: nothing stored"


FINISHED_SUBMISSION_STATUSES = (
    SubmissionStatus.STORED,
    SubmissionStatus.REJECTED,
    SubmissionStatus.FAILED,
)


class Channel(models.TextChoices):
    WEB = "web", "Upload in the browser"
    API = "api", "API"
    COMMAND = "command", "import_measurements command"


class ReviewStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted (locked)"
    QUERIED = "queried", "Queried"
    UNLOCKED = "unlocked", "Unlocked for resubmission"


class RunTrigger(models.TextChoices):
    SUBMISSION = "submission", "After a submission"
    NIGHTLY = "nightly", "Nightly full rescore"
    MANUAL = "manual", "Started by hand"


class RescoreStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Recalculating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


OPEN_RESCORE_STATUSES = (RescoreStatus.QUEUED, RescoreStatus.RUNNING)
