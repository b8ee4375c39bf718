"""What reporting keeps: the scorecards commissioners publish."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from reporting.choices import ScorecardKind
from reporting.querysets import PublishedScorecardQuerySet


class PublishedScorecard(models.Model):
    """A scorecard published by a commissioner for lay partners and the
    public: a frozen snapshot of the figures, text and chart data as they
    were. Two kinds share the one public list and API: a period's scorecard
    for a contract's network or provider (`contract`; built from accepted
    data only, see reporting.contract_publishing), and a commissioner's
    assurance scorecard for a year (`assessment_round`; `organisation` is
    the commissioner, `period_start` 1 January of the year; see
    reporting.assurance_publishing). Both are published and withdrawn by
    reporting.publishing. It never changes; it can only be withdrawn, with
    a public reason, and a new one published in its place."""

    FROZEN_FIELDS = (
        "kind",
        "contract",
        "assessment_round",
        "organisation",
        "period_start",
        "title",
        "summary",
        "snapshot",
    )
    WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawal_reason")

    kind = models.CharField(
        max_length=10, choices=ScorecardKind.choices, default=ScorecardKind.CONTRACT
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="scorecards",
        null=True,
        blank=True,
    )
    assessment_round = models.ForeignKey(
        "assurance.AssessmentRound",
        on_delete=models.PROTECT,
        related_name="published_scorecards",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="scorecards"
    )
    period_start = models.DateField(
        help_text="The month the scorecard reports (an assurance scorecard: 1 January of its year)."
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="The commissioner's summary for lay readers.")
    snapshot = models.JSONField(help_text="Scores, text and chart data as published.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = PublishedScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organisation", "period_start"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_scorecard_a_period",
            ),
            models.UniqueConstraint(
                fields=["assessment_round"],
                condition=models.Q(withdrawn_at__isnull=True, assessment_round__isnull=False),
                name="one_live_assurance_scorecard",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind=ScorecardKind.CONTRACT,
                    contract__isnull=False,
                    assessment_round__isnull=True,
                )
                | models.Q(
                    kind=ScorecardKind.ASSURANCE,
                    contract__isnull=True,
                    assessment_round__isnull=False,
                ),
                name="scorecard_kind_matches_subject",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A published snapshot is immutable (an integrity rule, not a business
        # rule): after the first save only the withdrawal may be recorded.
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (
            update_fields is None or not set(update_fields) <= set(self.WITHDRAWAL_FIELDS)
        ):
            raise ValueError("A published scorecard cannot be changed, only withdrawn.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reporting:scorecard-detail", args=[self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def publisher_id(self) -> int:
        """The commissioner whose people (and admins) publish and withdraw it."""
        if self.kind == ScorecardKind.ASSURANCE:
            return self.organisation_id
        return self.contract.commissioner_id
