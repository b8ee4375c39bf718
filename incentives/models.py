"""Incentive schemes (versioned rules per contract) and settlements
(docs/incentives.md). Writes go through incentives.services."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.numbers import plain
from incentives import defaults
from incentives import settlement as maths
from incentives.choices import Recipient, SettlementStatus
from incentives.querysets import SchemeQuerySet, SettlementQuerySet

percent = {"max_digits": 6, "decimal_places": 3}


money = {"max_digits": 14, "decimal_places": 2}


class IncentiveScheme(models.Model):
    """One version of a contract's incentive scheme: every number of the gain
    share, risk share, support and penalty, quality payment and outcome
    payment rules. Versions are never changed: an edit creates a new version
    applying from a contract year, and a settlement names the version it used."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="incentive_schemes"
    )
    version = models.PositiveSmallIntegerField()
    effective_from_year = models.PositiveSmallIntegerField(
        help_text="The first contract year (1, 2, ...) this version applies to."
    )
    gateway_score = models.DecimalField(
        **percent,
        default=defaults.GATEWAY_SCORE,
        help_text="No gain share below this aggregate score.",
    )
    support_threshold = models.DecimalField(
        **percent,
        default=defaults.SUPPORT_THRESHOLD,
        help_text="A support plan is raised below this score.",
    )
    penalty_threshold = models.DecimalField(
        **percent,
        default=defaults.PENALTY_THRESHOLD,
        help_text="A penalty applies below this score.",
    )
    penalty_rate = models.DecimalField(
        **percent,
        default=defaults.PENALTY_RATE,
        help_text="% of the annual contract value per point below the penalty threshold.",
    )
    penalty_cap = models.DecimalField(
        **percent,
        default=defaults.PENALTY_CAP,
        help_text="The most a penalty can be, % of contract value.",
    )
    quality_pot = models.DecimalField(
        **percent,
        default=defaults.QUALITY_POT,
        help_text="Quality payments available, % of contract value; the indicators' weights "
        "add up to it.",
    )
    at_risk_percents = models.JSONField(
        default=list,
        blank=True,
        help_text="% of contract value at risk in each contract year, paid in proportion "
        "to the aggregate score (capitated outcomes-based contracts), e.g. 0, 10, 10, 15, 15.",
    )
    support_plan_due_days = models.PositiveSmallIntegerField(
        default=defaults.SUPPORT_PLAN_DUE_DAYS,
        help_text="Days the network has to carry out a support plan.",
    )
    minimum_coverage = models.DecimalField(
        **percent,
        default=defaults.MINIMUM_COVERAGE,
        help_text="% of the year's months that must have an aggregate score for the year "
        "to have one.",
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="unique_scheme_version")
        ]

    def __str__(self):
        return f"{self.contract.reference} incentive scheme v{self.version}"

    def at_risk_for(self, year_number: int) -> Decimal:
        values = self.at_risk_percents or []
        return Decimal(values[year_number - 1]) if year_number <= len(values) else Decimal(0)

    def as_rules(self, year_number: int) -> maths.Scheme:
        """This version as the plain rules settlement.settle computes with
        (bands, corridors and indicators should be prefetched)."""
        return maths.Scheme(
            version=f"scheme v{self.version}",
            gateway_score=plain(self.gateway_score),
            bands=tuple(
                maths.Band(plain(b.lower), plain(b.upper), plain(b.network_share))
                for b in self.bands.all()
            ),
            corridors=tuple(
                maths.Corridor(plain(c.lower), plain(c.upper), plain(c.network_share))
                for c in self.corridors.all()
            ),
            support_threshold=plain(self.support_threshold),
            penalty_threshold=plain(self.penalty_threshold),
            penalty_rate=plain(self.penalty_rate),
            penalty_cap=plain(self.penalty_cap),
            quality_pot=plain(self.quality_pot),
            indicators=tuple(
                maths.Indicator(
                    i.metric.code,
                    i.metric.name,
                    plain(i.minimum),
                    plain(i.maximum),
                    plain(i.weight),
                )
                for i in self.indicators.all()
            ),
            at_risk_percent=plain(self.at_risk_for(year_number)),
        )


class GainShareBand(models.Model):
    """Scores from `lower` up to `upper` keep `network_share` % of savings."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.CASCADE, related_name="bands")
    lower = models.DecimalField(**percent)
    upper = models.DecimalField(**percent)
    network_share = models.DecimalField(**percent, help_text="% of savings the network keeps.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "lower"]

    def __str__(self):
        return f"{self.lower}-{self.upper}: network keeps {self.network_share}%"


class RiskCorridor(models.Model):
    """Overspend from `lower` to `upper` % of budget (no upper: and above), of
    which the network carries `network_share` %."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.CASCADE, related_name="corridors")
    lower = models.DecimalField(**percent)
    upper = models.DecimalField(**percent, null=True, blank=True)
    network_share = models.DecimalField(**percent, help_text="% of the slice the network carries.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "lower"]

    def __str__(self):
        upper = "and above" if self.upper is None else f"to {self.upper}%"
        return f"{self.lower}% {upper}: network carries {self.network_share}%"


class QualityIndicator(models.Model):
    """A quality-payment indicator: a contract metric whose value over the
    year earns `weight` % of contract value in full at `maximum`, nothing at
    `minimum` (the higher number for a lower-is-better metric)."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.CASCADE, related_name="indicators")
    metric = models.ForeignKey("outcomes.Metric", on_delete=models.PROTECT, related_name="+")
    minimum = models.DecimalField(max_digits=14, decimal_places=4)
    maximum = models.DecimalField(max_digits=14, decimal_places=4)
    weight = models.DecimalField(**percent, help_text="% of contract value.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "pk"]

    def __str__(self):
        return f"{self.metric_id}: {self.weight}% from {self.minimum} to {self.maximum}"


class Settlement(models.Model):
    """A contract year's settlement under the scheme version in force: its
    inputs (as gathered, with their digest), the net transfer and a line per
    rule. A draft is recomputed when inputs change; signing off locks it."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="settlements"
    )
    contract_year = models.OneToOneField(
        "contracts.ContractYear", on_delete=models.PROTECT, related_name="settlement"
    )
    scheme = models.ForeignKey(
        IncentiveScheme, on_delete=models.PROTECT, related_name="settlements"
    )
    status = models.CharField(
        max_length=12, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    inputs = models.JSONField(help_text="Every input as gathered, money and scores as strings.")
    inputs_digest = models.CharField(max_length=64, help_text="SHA-256 of the inputs.")
    rule_version = models.CharField(max_length=40)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    savings = models.DecimalField(**money)
    net_transfer = models.DecimalField(
        **money, help_text="Commissioner to network; negative: the network pays."
    )
    support_plan = models.BooleanField(default=False)
    support_plan_raised_at = models.DateTimeField(null=True, blank=True)
    support_action = models.ForeignKey(
        "dialogues.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The support plan raised in the network's dialogues.",
    )
    support_plan_note = models.CharField(
        max_length=300, blank=True, help_text="Why no dialogue action could be raised, if so."
    )
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a scheduled run computed it.",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = SettlementQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-contract_year__start_date"]

    def __str__(self):
        return f"Settlement of {self.contract_year}"

    @property
    def is_signed_off(self) -> bool:
        return self.status == SettlementStatus.SIGNED_OFF


class SettlementLine(models.Model):
    """One line of a settlement statement: inputs, rule and its version,
    amount and who receives it. Rewritten whole when a draft is recomputed."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    amount = models.DecimalField(**money, null=True)
    recipient = models.CharField(max_length=12, choices=Recipient.choices, blank=True)
    inputs = models.JSONField()
    rule = models.CharField(max_length=300)
    rule_version = models.CharField(max_length=60)

    class Meta:
        ordering = ["settlement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "key"], name="unique_settlement_line")
        ]

    def __str__(self):
        return f"{self.label}: {self.amount}"


class SettlementComment(models.Model):
    """A party's comment on a draft settlement (the network before sign-off)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["settlement", "created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on {self.settlement}"
