"""Choices for metrics and measurements: one spelling each, with the colour
a status is shown in (core.choices). Also the codes the pure maths returns
as plain strings (outcomes.scoring's ratings, outcomes.spc's variation,
assurance and point types, outcomes.selectors' timeliness): the pages look
up their words and colours here, by `Choice(code)`."""

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
    AGREEMENT = "agreement", "When the contract was agreed"
    VARIATION = "variation", "After an agreed variation"


class RescoreStatus(ColourTextChoices):
    QUEUED = "queued", "Waiting to start", "grey"
    RUNNING = "running", "Recalculating", "blue"
    DONE = "done", "Done", "green"
    FAILED = "failed", "Failed", "red"


OPEN_RESCORE_STATUSES = (RescoreStatus.QUEUED, RescoreStatus.RUNNING)


class Timeliness(ColourTextChoices):
    """How an expected value arrived (outcomes.selectors.Expected.state)."""

    ON_TIME = "on time", "On time", "green"
    LATE = "late", "Late", "orange"
    MISSING = "missing", "Missing", "red"
    NOT_DUE_YET = "not due yet", "Not due yet", "grey"


# --- Codes of the pure maths (no model field holds them as choices) ---


class Rating(ColourTextChoices, css="concord-rating--{}"):
    """A metric's rating (outcomes.scoring), shown in Concord's own rating
    tags: the colours are frontend/concord.scss's $concord-ratings."""

    GOOD = "good", "Good", "good"
    APPROACHING = "approaching", "Approaching target", "approaching"
    REQUIRES_IMPROVEMENT = (
        "requires_improvement",
        "Requires improvement",
        "requires-improvement",
    )
    INADEQUATE = "inadequate", "Inadequate", "inadequate"


class Variation(ColourTextChoices):
    """The SPC variation icon of a metric's latest point (outcomes.spc.variation_icon):
    the label is its tag on the dashboard, the description its wording on the
    metric's page and in the downloads."""

    COMMON_CAUSE = "common_cause", "Common cause", "grey"
    IMPROVEMENT_HIGH = "improvement_high", "Improvement (high)", "blue"
    IMPROVEMENT_LOW = "improvement_low", "Improvement (low)", "blue"
    CONCERN_HIGH = "concern_high", "Concern (high)", "orange"
    CONCERN_LOW = "concern_low", "Concern (low)", "orange"
    NEUTRAL_HIGH = "neutral_high", "Special cause (high)", "purple"
    NEUTRAL_LOW = "neutral_low", "Special cause (low)", "purple"

    @property
    def description(self) -> str:
        return VARIATION_DESCRIPTIONS[self]


VARIATION_DESCRIPTIONS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT_HIGH: "Special cause improvement (high)",
    Variation.IMPROVEMENT_LOW: "Special cause improvement (low)",
    Variation.CONCERN_HIGH: "Special cause concern (high)",
    Variation.CONCERN_LOW: "Special cause concern (low)",
    Variation.NEUTRAL_HIGH: "Special cause variation (high)",
    Variation.NEUTRAL_LOW: "Special cause variation (low)",
}


class SpcAssurance(ColourTextChoices):
    """Whether the process will meet the target (outcomes.spc.assurance): the
    label is its tag on the dashboard, the description its wording on the
    metric's page and in the downloads."""

    CONSISTENT_PASS = "consistent_pass", "Passes", "blue"
    CONSISTENT_FAIL = "consistent_fail", "Fails", "orange"
    INCONSISTENT = "inconsistent", "Hit and miss", "grey"

    @property
    def description(self) -> str:
        return SPC_ASSURANCE_DESCRIPTIONS[self]


SPC_ASSURANCE_DESCRIPTIONS = {
    SpcAssurance.CONSISTENT_PASS: "Consistently passes the target",
    SpcAssurance.CONSISTENT_FAIL: "Consistently fails the target",
    SpcAssurance.INCONSISTENT: "Hits and misses the target",
}


class SpcPointType(models.TextChoices):
    """What an SPC point is (outcomes.spc's point_type), in the metric page's
    table and its download: words only, never a tag."""

    COMMON_CAUSE = "common_cause", "Common cause"
    IMPROVEMENT = "special_cause_improvement", "Special cause: improvement"
    CONCERN = "special_cause_concern", "Special cause: concern"
    NEUTRAL = "special_cause_neutral", "Special cause"


class VariationStatus(ColourTextChoices):
    """A proposed change to an agreed contract's metric terms (outcomes.services.variations)."""

    PROPOSED = "proposed", "Waiting for an answer", "blue"
    ACCEPTED = "accepted", "Agreed", "green"
    REJECTED = "rejected", "Rejected", "red"
    WITHDRAWN = "withdrawn", "Withdrawn", "grey"
