"""Filtersets for the outcomes API. Metrics and organisations are named by
code; dimensions, population groups and submissions by id (a plain number,
so a filter never reveals whether a row outside the person's scope exists)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from contracts.api.filters import IdFilter
from contracts.choices import Side
from outcomes.choices import Channel, SubmissionStatus
from outcomes.models import Measurement, Metric, Outcome, Submission


@extend_schema_field({"type": "string", "enum": ["current", "all"], "default": "current"})
class RevisionFilter(filters.ChoiceFilter):
    """Which revisions: the revision filter names no model field."""


class OutcomeFilter(filters.FilterSet):
    dimension = IdFilter(field_name="dimension_id", help_text="Dimension id.")
    population_group = IdFilter(field_name="population_group_id", help_text="Population group id.")

    class Meta:
        model = Outcome
        fields = ["dimension", "population_group"]


class MetricFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", help_text="Metric code (exact).")
    dimension = IdFilter(field_name="dimension_id", help_text="Dimension id.")
    outcome = IdFilter(field_name="outcome_id", help_text="Outcome id.")
    population_group = IdFilter(
        field_name="outcome__population_group_id",
        help_text="Population group id, through the metric's outcome.",
    )
    is_national = filters.BooleanFilter(help_text="true: national metrics; false: local ones.")
    submitted_by = filters.ChoiceFilter(
        choices=Side.choices, help_text="Which side submits the metric's data."
    )

    class Meta:
        model = Metric
        fields = ["code", "dimension", "outcome", "population_group", "is_national", "submitted_by"]


class SubmissionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=SubmissionStatus.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices)

    class Meta:
        model = Submission
        fields = ["status", "channel"]


class MeasurementFilter(filters.FilterSet):
    """Current revisions unless revision=all."""

    CURRENT, ALL = "current", "all"

    metric = filters.CharFilter(field_name="metric__code", help_text="Metric code.")
    organisation = filters.CharFilter(
        field_name="organisation__code", help_text="Organisation code."
    )
    period_from = filters.DateFilter(
        field_name="period_start", lookup_expr="gte", help_text="Periods starting on or after."
    )
    period_to = filters.DateFilter(
        field_name="period_start", lookup_expr="lte", help_text="Periods starting on or before."
    )
    submission = IdFilter(field_name="submission_id", help_text="Submission id.")
    revision = RevisionFilter(
        choices=[
            (CURRENT, "Current revisions only (the default)"),
            (ALL, "Every revision, earlier ones with who submitted them and when"),
        ],
        method="filter_revision",
        help_text="current (default): the revision that counts; all: every revision.",
    )

    class Meta:
        model = Measurement
        fields = ["metric", "organisation", "period_from", "period_to", "submission", "revision"]

    def filter_revision(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so the default holds when absent

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("revision") != self.ALL:
            queryset = queryset.current()
        return queryset
