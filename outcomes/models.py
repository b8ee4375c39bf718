from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from contracts.choices import Side
from core.functions import DatabaseNow
from outcomes.choices import (
    FINISHED_SUBMISSION_STATUSES,
    OPEN_RESCORE_STATUSES,
    RATIO_TYPES,
    Aggregation,
    Channel,
    Direction,
    Frequency,
    MetricType,
    RescoreStatus,
    ReviewStatus,
    RunTrigger,
    SubmissionStatus,
    VariationStatus,
)
from outcomes.querysets import (
    ContractMetricQuerySet,
    MeasurementQuerySet,
    RescoreRequestQuerySet,
    ScoreQuerySet,
    SpcRebaseQuerySet,
    SubmissionQuerySet,
    VariationQuerySet,
)

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


class Outcome(models.Model):
    """An outcome that matters to a population group, under a dimension;
    metrics measure it."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="outcomes")
    population_group = models.ForeignKey(
        "contracts.PopulationGroup", on_delete=models.PROTECT, related_name="outcomes"
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
    # The contract performance notices that name this metric (`notice.metrics`
    # from the notice's side): declared here because contracts sit below outcomes.
    notices = models.ManyToManyField(
        "contracts.PerformanceNotice", blank=True, related_name="metrics"
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


class ContractMetric(models.Model):
    """A version of a metric's terms in a contract: thresholds, baseline and
    weight in force from `effective_from`. Changing the terms adds a version;
    rows are never rewritten, so earlier periods keep the terms they had."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="metric_versions"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    minimum_threshold = models.DecimalField(max_digits=14, decimal_places=4)
    target = models.DecimalField(
        max_digits=14, decimal_places=4, help_text="The aspirational target."
    )
    baseline = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text="Weight within its dimension.",
    )
    is_national = models.BooleanField(
        default=False, help_text="Nationally mandated (otherwise locally negotiated)."
    )
    accountable = models.CharField(
        max_length=20,
        choices=Side.choices,
        default=Side.PROVIDER,
        help_text="Which party is accountable: commissioners' obligations are metrics too.",
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ContractMetricQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "metric__code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "metric", "effective_from"],
                name="unique_contract_metric_version",
            ),
            models.CheckConstraint(
                condition=~models.Q(target=models.F("minimum_threshold")),
                name="contract_metric_target_differs_from_minimum",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="contract_metric_weight_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.metric.code} from {self.effective_from}"


class Submission(models.Model):
    """One batch of measurements (a CSV file or JSON rows) and what became of
    it: validated as a whole, then stored atomically or rejected with every
    error. The original file is kept, unless it was over the size limit or
    looked like it held an NHS number (then it is rejected as it arrives and
    nothing of its content is kept: no file, no checksum)."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    original_file = models.FileField(upload_to="submissions/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="Outliers: [{row, organisation (its id: who may read it), message}]",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Submission {self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_SUBMISSION_STATUSES


class Measurement(models.Model):
    """One revision of a metric's value for an organisation and period.
    Re-submitting adds a revision; the latest (is_current) counts, earlier
    ones stay readable with their submission (who and when)."""

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="measurements")
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="measurements"
    )
    period_start = models.DateField()
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    value = models.DecimalField(max_digits=24, decimal_places=8)
    revision = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="measurements"
    )
    # When the revision was stored: the database fills it (COPY included), and
    # the audit trail reads revisions newest first from its index. On SQLite
    # it is written as Django writes a datetime, so Django's comparisons
    # with it (the trail's keyset cursors) hold there too.
    recorded_at = models.DateTimeField(db_default=DatabaseNow(), editable=False)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["metric", "organisation", "period_start", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "organisation", "period_start", "revision"],
                name="unique_measurement_revision",
            ),
            models.UniqueConstraint(
                fields=["metric", "organisation", "period_start"],
                condition=models.Q(is_current=True),
                name="one_current_measurement",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "metric", "period_start"],
                condition=models.Q(is_current=True),
                name="current_measurement_idx",
            ),
            models.Index(fields=["recorded_at", "id"], name="measurement_recorded_idx"),
        ]

    def __str__(self):
        return f"{self.metric_id}/{self.organisation_id} {self.period_start} r{self.revision}"


class PeriodReview(models.Model):
    """A commissioner's decision on an organisation's data for one contract
    and period: accepted (the period is locked) or queried with a comment.
    Unlocking is a decision too, and every decision is kept in history."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="period_reviews"
    )
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="period_reviews"
    )
    period_start = models.DateField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "organisation", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organisation", "period_start"], name="one_review_per_period"
            )
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.organisation_id} {self.period_start:%b %Y}"


class AcceptedRevision(models.Model):
    """The revision of a value a contract keeps scoring because it accepted
    (locked) the month before a correction arrived: made when the correction
    is stored (outcomes.services.submissions.store), for each accepted
    month of a binding contract holding the metric. No measurement means the
    contract accepted the month without this value. The contract's rescore
    reads this revision instead of the current one
    (Measurement.objects.scored_by) until its commissioner unlocks the
    month, which removes it (outcomes.services.reviews)."""

    review = models.ForeignKey(
        PeriodReview, on_delete=models.CASCADE, related_name="kept_revisions"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    measurement = models.ForeignKey(
        Measurement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kept_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["review", "metric"], name="one_kept_revision")
        ]

    def __str__(self):
        return f"Kept by review {self.review_id}: metric {self.metric_id}, {self.measurement_id}"


class ScoreRun(models.Model):
    """One computation of a contract's scores for one month. Pages and the API
    read each month's current run; new runs are written and swapped in within
    one transaction, so a crash leaves the previous runs in place, and a
    rescore after a submission writes only the months it changed."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="score_runs"
    )
    period_start = models.DateField()
    trigger = models.CharField(max_length=12, choices=RunTrigger.choices)
    rule_version = models.CharField(max_length=20)
    inputs_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the month's inputs: equal digests, equal scores."
    )
    computed_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"],
                condition=models.Q(is_current=True),
                name="one_current_score_run_a_month",
            )
        ]

    def __str__(self):
        return (
            f"Scores for {self.contract_id}, {self.period_start:%b %Y}, "
            f"at {self.computed_at:%Y-%m-%d %H:%M}"
        )


def score_run_link(related_name: str):
    """A score row's run. The (run, organisation, period) index serves the
    run look-ups, so the foreign key gets no index of its own."""
    return models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name=related_name, db_index=False
    )


def derived_link(to: str):
    """A score row's reference to what it was computed from. Score rows are
    derived data written in bulk under the contract's lock from rows read in
    the same transaction, so the database keeps no constraint or index for
    these (PROTECT still guards deletes made through Django); this halves the
    cost of writing a run (docs/benchmarks.md)."""
    return models.ForeignKey(
        to, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )


class MetricScore(models.Model):
    """A contract metric's value, score and rating for an organisation and
    month, naming the measurement revisions and contract-metric version used.
    A missing value is stored as missing (null), never as zero."""

    run = score_run_link("metric_scores")
    contract_metric = derived_link(ContractMetric)
    metric = derived_link(Metric)
    organisation = derived_link("contracts.Organisation")
    period_start = models.DateField()
    numerator = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    denominator = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    value = models.FloatField(null=True)
    score = models.FloatField(null=True)
    rating = models.CharField(max_length=24, blank=True)
    improvement = models.FloatField(null=True)
    measurement_ids = models.JSONField(default=list)
    # Benchmark: a network's member against the network as a whole and ranked
    # among the members; a single provider against its peers (every provider
    # holding the metric) and ranked among them. Stored for everyone; who is
    # shown them is decided when they are read (outcomes.selectors.Comparisons).
    ci_lower = models.FloatField(null=True, help_text="95% interval (Wilson or Byar's).")
    ci_upper = models.FloatField(null=True)
    comparator = models.FloatField(
        null=True, help_text="The network's value, or the peers' pooled value."
    )
    comparison = models.CharField(max_length=8, blank=True, help_text="better/similar/worse")
    peer_rank = models.PositiveSmallIntegerField(null=True, help_text="1 = best.")
    peer_quintile = models.PositiveSmallIntegerField(null=True, help_text="1 = best fifth.")
    peer_count = models.PositiveIntegerField(
        null=True,
        help_text="How many organisations the comparator pools (those with a value); the "
        "rank, where there is one, is out of these.",
    )
    peer_distinct = models.PositiveIntegerField(
        null=True,
        help_text="How many different values the comparator pools: with peer_count and "
        "peer_ids, what the small-numbers rule (core.small_numbers) knows of its contributors.",
    )
    peer_ids = models.JSONField(
        null=True,
        help_text="The organisations the comparator pools: always a network's members, a "
        "single provider's peers when they are few (outcomes.services.rescore.PEER_IDS_UP_TO).",
    )

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "metric", "period_start"]
        indexes = [models.Index(fields=["run", "organisation", "period_start"])]

    def __str__(self):
        return f"{self.metric_id}/{self.organisation_id} {self.period_start}: {self.score}"


class DimensionScore(models.Model):
    """A dimension's score (0-10) and coverage of metric weight for an
    organisation and month; no score below the coverage threshold."""

    run = score_run_link("dimension_scores")
    dimension = derived_link(Dimension)
    organisation = derived_link("contracts.Organisation")
    period_start = models.DateField()
    score = models.FloatField(null=True)
    coverage = models.FloatField()

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "period_start", "dimension"]
        indexes = [models.Index(fields=["run", "organisation", "period_start"])]

    def __str__(self):
        return f"{self.dimension_id}/{self.organisation_id} {self.period_start}: {self.score}"


class AggregateScore(models.Model):
    """The aggregate outcome score (0-100) and its coverage of dimension
    weight for an organisation and month."""

    run = score_run_link("aggregate_scores")
    organisation = derived_link("contracts.Organisation")
    period_start = models.DateField()
    score = models.FloatField(null=True)
    coverage = models.FloatField()

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "period_start"]
        indexes = [models.Index(fields=["run", "organisation", "period_start"])]

    def __str__(self):
        return f"{self.organisation_id} {self.period_start}: {self.score}"


class PendingRescore(models.Model):
    """A month of a contract whose scores a stored submission changed, written
    in the submission's own transaction: the durable record of work to do
    (a transactional outbox). Celery is told at once, but if the broker is
    down the mark stays and the sweep (config/beat.py) picks it up when it
    returns. Removed by the rescore that covers it."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="pending_rescores"
    )
    period_start = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["contract", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="one_pending_rescore_a_month"
            )
        ]

    def __str__(self):
        return f"Rescore {self.contract_id} {self.period_start:%b %Y}"


class RescoreRequest(models.Model):
    """A recalculation of one contract's scores asked for in the browser or
    the API, and how it went, so the person who asked can follow it."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="rescore_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=8, choices=RescoreStatus.choices, default=RescoreStatus.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    months_written = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = RescoreRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_open_rescore_request",
            )
        ]

    def __str__(self):
        return f"Rescore of {self.contract_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in OPEN_RESCORE_STATUSES


class SpcRebase(models.Model):
    """A commissioner's decision to recalculate a series' SPC limits from a
    period on (e.g. after a service change), with the reason. It belongs to
    the contract it was made for: only that contract's charts start new
    limits there (outcomes.series)."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="spc_rebases"
    )
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="spc_rebases")
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.CASCADE, related_name="spc_rebases"
    )
    period_start = models.DateField(help_text="The first period of the new limits.")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = SpcRebaseQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "metric", "organisation", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "metric", "organisation", "period_start"],
                name="one_rebase_per_contract_period",
            )
        ]

    def __str__(self):
        return (
            f"Rebase {self.metric_id}/{self.organisation_id} from {self.period_start} "
            f"(contract {self.contract_id})"
        )


class Variation(models.Model):
    """A change to an agreed contract's metric terms that one party proposes
    and the other accepts or rejects (docs/contracts.md, Variations): a
    metric's new thresholds, target, baseline or weight from a month, or a
    metric added to the contract. Accepting adds the ContractMetric version
    (`version`); nothing changes before."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="variations"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(help_text="The first month the new terms apply to.")
    minimum_threshold = models.DecimalField(max_digits=14, decimal_places=4)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    baseline = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    reason = models.CharField(max_length=300, help_text="Why the terms should change.")
    proposed_by_organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=VariationStatus.choices, default=VariationStatus.PROPOSED
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="The other party's reason for rejecting.")
    version = models.OneToOneField(
        ContractMetric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variation",
        help_text="The version of the terms the accepted variation added.",
    )
    history = HistoricalRecords()

    objects = VariationQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One open proposal per metric of a contract: answer it first.
            models.UniqueConstraint(
                fields=["contract", "metric"],
                condition=models.Q(status="proposed"),
                name="one_open_variation_per_contract_metric",
            )
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.metric.code} from {self.effective_from:%B %Y}"
