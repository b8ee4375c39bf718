"""API for stored scores, SPC charts and SPC rebasing.

- /scores/ lists the rows of each contract's current ScoreRun, at one level
  (metric, dimension or the default aggregate), scoped to the contracts the
  user can see and, within them, the organisations in their data scope.
- /metrics/{id}/spc/ (an action on the metrics route, served by
  `spc_response` here) is the XmR analysis of one organisation's series.
- /spc-rebases/ lists the rebases of the contracts and series the user may
  see; a rebase belongs to one contract, whose commissioner (or an admin)
  adds it for a metric and organisation the contract holds; its creator or
  an admin withdraws it. The rules live in outcomes.services.rebasing."""

from django import forms
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from contracts.access import data_scope
from contracts.api.filters import IdFilter
from contracts.api.serializers import ScopedContractField
from contracts.choices import Role
from contracts.models import Contract
from core.api import (
    DateField,
    DateTimeField,
    ModelSerializer,
    RolePermission,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
    ServiceErrorsMixin,
)
from outcomes import series
from outcomes.models import AggregateScore, DimensionScore, Metric, MetricScore, SpcRebase
from outcomes.selectors import Comparisons
from outcomes.services import rebasing

# --- Scores ---

METRIC, DIMENSION, AGGREGATE = "metric", "dimension", "aggregate"
LEVELS = [
    (METRIC, "Metric scores (0-10) with value, rating, improvement and provenance"),
    (DIMENSION, "Dimension scores (0-10) with coverage of metric weight"),
    (AGGREGATE, "Aggregate outcome scores (0-100) with coverage of dimension weight"),
]
SCORE_QUERYSETS = {
    METRIC: MetricScore.objects.current()
    .select_related("run", "organisation", "metric")
    .order_by("run__contract_id", "organisation__code", "metric__code", "period_start", "pk"),
    DIMENSION: DimensionScore.objects.current()
    .select_related("run", "organisation", "dimension")
    .order_by("run__contract_id", "organisation__code", "period_start", "dimension__order", "pk"),
    AGGREGATE: AggregateScore.objects.current()
    .select_related("run", "organisation")
    .order_by("run__contract_id", "organisation__code", "period_start", "pk"),
}


@extend_schema_field(
    {"type": "string", "enum": [level for level, _ in LEVELS], "default": AGGREGATE}
)
class LevelFilter(filters.ChoiceFilter):
    """Which level of scores: the level names no model field."""


class MonthStartField(forms.DateField):
    """A date that must be a month's first day (scores are stored per month)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and value.day != 1:
            raise forms.ValidationError("Give the month's first day, e.g. 2025-09-01.")


class MonthFilter(filters.DateFilter):
    """Scores of one month, or a 400 naming the filter for another day (which
    would otherwise match nothing, silently)."""

    field_class = MonthStartField


class ScoreFilter(filters.FilterSet):
    """Filters every level shares (no model: the level picks the model)."""

    level = LevelFilter(
        choices=LEVELS,
        method="filter_level",
        help_text="metric, dimension or aggregate (the default).",
    )
    contract = IdFilter(field_name="run__contract_id", help_text="Contract id.")
    organisation = filters.CharFilter(
        field_name="organisation__code", help_text="Organisation code."
    )
    period = MonthFilter(
        field_name="period_start", help_text="One month: its first day, e.g. 2025-09-01."
    )
    period_from = filters.DateFilter(
        field_name="period_start", lookup_expr="gte", help_text="Periods starting on or after."
    )
    period_to = filters.DateFilter(
        field_name="period_start", lookup_expr="lte", help_text="Periods starting on or before."
    )

    def filter_level(self, queryset, name, value):
        return queryset  # the view picks the model by level


class ProvenanceSerializer(serializers.Serializer):
    run = serializers.IntegerField(source="run_id", help_text="Score run id.")
    rule_version = serializers.CharField(source="run.rule_version")
    computed_at = DateTimeField(source="run.computed_at")
    contract_metric = serializers.IntegerField(
        source="contract_metric_id",
        allow_null=True,
        help_text="Id of the contract-metric version (thresholds) in force for the period; "
        "null above metric level.",
    )
    measurement_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Ids of the measurement revisions the value came from (several for a "
        "network's pooled row; empty when missing); null above metric level.",
    )


class ScoreSerializer(serializers.Serializer):
    """One stored score. The same shape at every level: fields a level does
    not have are null, and a missing value or score is null, never zero."""

    level = serializers.SerializerMethodField()
    contract = serializers.IntegerField(source="run.contract_id", help_text="Contract id.")
    organisation = serializers.CharField(source="organisation.code", help_text="Organisation code.")
    period_start = DateField()
    metric = serializers.CharField(
        source="metric.code", allow_null=True, help_text="Metric code (metric level)."
    )
    dimension = serializers.CharField(
        source="dimension.name", allow_null=True, help_text="Dimension name (dimension level)."
    )
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.DecimalField(
        max_digits=24, decimal_places=6, allow_null=True, coerce_to_string=True
    )
    denominator = serializers.DecimalField(
        max_digits=24, decimal_places=6, allow_null=True, coerce_to_string=True
    )
    score = serializers.FloatField(
        allow_null=True, help_text="0-10 (metric, dimension) or 0-100 (aggregate)."
    )
    rating = serializers.CharField(
        allow_null=True,
        help_text="good, approaching, requires_improvement or inadequate (metric level); "
        "null when there is no score.",
    )
    improvement = serializers.FloatField(
        allow_null=True, help_text="Share of the baseline-to-target gap closed, signed."
    )
    coverage = serializers.FloatField(
        allow_null=True, help_text="Share of weight with data (dimension and aggregate)."
    )
    ci_lower = serializers.FloatField(
        allow_null=True, help_text="95% interval of the value (Wilson or Byar's); metric level."
    )
    ci_upper = serializers.FloatField(allow_null=True)
    comparator = serializers.FloatField(
        allow_null=True,
        help_text="The network's value (members of a network) or the peers' pooled value "
        "(single providers); null without one, or when withheld (comparison_withheld).",
    )
    comparison = serializers.CharField(
        allow_null=True, help_text="better, similar or worse than the comparator; else null."
    )
    peer_rank = serializers.IntegerField(
        allow_null=True, help_text="1 = best among the network's members, or among the peers."
    )
    peer_quintile = serializers.IntegerField(allow_null=True, help_text="1 = best fifth.")
    peer_count = serializers.IntegerField(
        allow_null=True,
        help_text="How many organisations the comparator pools (those with a value); the rank "
        "is out of these.",
    )
    comparison_withheld = serializers.SerializerMethodField(
        help_text="Why comparator, comparison, peer_rank, peer_quintile and peer_count are "
        "null although the score has a comparison: the small-numbers rule "
        "(docs/permissions.md) shows them only when none, or at least K (3 unless configured "
        "otherwise), of the organisations they pool are ones whose figures you may not see, "
        "and those do not all have the same value. Null when they are shown, and above "
        "metric level."
    )
    provenance = serializers.SerializerMethodField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.read_only = True

    @extend_schema_field({"type": "string", "enum": [level for level, _ in LEVELS]})
    def get_level(self, score) -> str:
        return self.context.get("level", AGGREGATE)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_comparison_withheld(self, score) -> str | None:
        if not isinstance(score, MetricScore):
            return None
        return self.context["comparisons"].withheld(
            score.comparator,
            score.peer_count,
            score.peer_distinct,
            score.peer_ids,
            score.seen_contributors,
        )

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, score) -> dict:
        data = ProvenanceSerializer(score).data
        if not isinstance(score, MetricScore):
            data["contract_metric"] = data["measurement_ids"] = None
        return data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("rating", "comparison"):
            if data.get(name) == "":
                data[name] = None
        if data["comparison_withheld"]:
            data.update(dict.fromkeys(Comparisons.FIELDS))
        return data


class ScoreViewSet(ServiceErrorsMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """Scores of the contracts you can see, for the organisations whose data
    you may see (a provider user: their own organisation; commissioners and
    network managers: every organisation of their contracts, including a
    network's pooled row). Only each contract's current score run is read.
    Choose the level with `level` (aggregate by default). A metric score's
    comparison is given only as the small-numbers rule allows for you
    (`comparison_withheld` says why not)."""

    serializer_class = ScoreSerializer
    filterset_class = ScoreFilter
    permission_classes = [RolePermission]

    @property
    def level(self) -> str:
        request = getattr(self, "request", None)
        level = request.query_params.get("level") if request is not None else None
        return level if level in SCORE_QUERYSETS else AGGREGATE

    @property
    def queryset(self):
        return SCORE_QUERYSETS[self.level].all()

    def scoped_queryset(self, queryset):
        if self.level == METRIC:
            return queryset.with_seen_contributors(self.request.user)
        return queryset

    def get_serializer_context(self):
        context = {**super().get_serializer_context(), "level": self.level}
        request = context.get("request")
        if request is not None:
            context["comparisons"] = Comparisons(request.user)
        return context

    def list(self, request, *args, **kwargs):
        """Current scores at one level, paginated."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- SPC ---


class SpcQuerySerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="Organisation code.")
    contract = serializers.IntegerField(
        required=False,
        help_text="Contract id: the chart of that contract, split at its rebases, with its "
        "metric's target in force for the latest period giving the assurance icon. Without "
        "it, the series as submitted: no rebases, no target.",
    )


class SpcPointSerializer(serializers.Serializer):
    period_start = DateField()
    value = serializers.FloatField()
    segment = serializers.IntegerField(help_text="Calculation period (0, 1, ... after rebases).")
    mean = serializers.FloatField()
    lpl = serializers.FloatField(help_text="Lower process limit.")
    upl = serializers.FloatField(help_text="Upper process limit.")
    nlpl = serializers.FloatField(help_text="Lower 2-sigma line.")
    nupl = serializers.FloatField(help_text="Upper 2-sigma line.")
    relative_to_mean = serializers.IntegerField(help_text="-1 below, 0 on, 1 above the mean.")
    outside_limits = serializers.IntegerField(help_text="-1 below, 1 above the limits, else 0.")
    near_limits = serializers.IntegerField(help_text="1 beyond a 2-sigma line (inside limits).")
    special_cause_type = serializers.CharField(
        help_text='The rule that labels the point, e.g. "Above the upper process limit", '
        '"7 points in a row rising" or "Common cause".'
    )
    point_type = serializers.CharField(
        help_text="common_cause, special_cause_improvement, special_cause_concern or "
        "special_cause_neutral, read from the rule that labels the point: a trend by its "
        "direction, the other rules by the point's side of the mean."
    )


class SpcSegmentSerializer(serializers.Serializer):
    segment = serializers.IntegerField()
    period_from = DateField()
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    lpl = serializers.FloatField()
    upl = serializers.FloatField()


class SpcSummarySerializer(serializers.Serializer):
    segments = SpcSegmentSerializer(many=True)
    variation = serializers.CharField(
        allow_null=True,
        help_text="Variation icon: the last point's type, e.g. common_cause or "
        "special_cause_improvement_high; null without data.",
    )
    assurance = serializers.CharField(
        allow_null=True,
        help_text="consistent_pass, consistent_fail or inconsistent (hit and miss); null "
        "without a target (give a contract) or for a neutral metric.",
    )
    improvement_direction = serializers.CharField(help_text="increase, decrease or neutral.")
    target = serializers.FloatField(allow_null=True)
    rebases = serializers.ListField(child=DateField())
    warnings = serializers.ListField(child=serializers.CharField())


class SpcSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="Metric code.")
    organisation = serializers.CharField(help_text="Organisation code.")
    contract = serializers.IntegerField(allow_null=True)
    points = SpcPointSerializer(many=True)
    summary = SpcSummarySerializer()


SPC_SCHEMA = {
    "parameters": [SpcQuerySerializer],
    "responses": {
        200: SpcSerializer,
        400: OpenApiResponse(description="organisation missing or contract not a number."),
        404: OpenApiResponse(
            description="No such metric, or an organisation (or contract) you may not see."
        ),
    },
}


def spc_response(request, metric: Metric) -> Response:
    """The XmR chart of `metric` for the organisation named in the query."""
    query = SpcQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    user = request.user
    organisation = get_object_or_404(data_scope(user), code=query.validated_data["organisation"])
    contract = None
    if "contract" in query.validated_data:
        contract = get_object_or_404(
            Contract.objects.visible_to(user), pk=query.validated_data["contract"]
        )
    result = series.spc_series(metric, organisation, contract)
    data = {
        "metric": metric.code,
        "organisation": organisation.code,
        "contract": contract.pk if contract else None,
        **result,
    }
    return Response(SpcSerializer(data).data)


# --- Rebases ---


@extend_schema_field(OpenApiTypes.STR)
class ScopedOrganisationField(serializers.SlugRelatedField):
    """An organisation by code, among those whose data the user may see."""

    default_error_messages = {
        "does_not_exist": "No organisation with code '{value}' whose data you may see.",
    }

    def get_queryset(self):
        return data_scope(self.context["request"].user)


class SpcRebaseSerializer(ModelSerializer):
    """A decision to recalculate a series' SPC limits from a period on."""

    contract = serializers.IntegerField(
        source="contract_id", read_only=True, help_text="The contract whose charts it rebases."
    )
    metric = serializers.CharField(source="metric.code", read_only=True, help_text="Metric code.")
    organisation = serializers.CharField(
        source="organisation.code", read_only=True, help_text="Organisation code."
    )
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, help_text="Username of the creator."
    )

    class Meta:
        model = SpcRebase
        fields = [
            "id",
            "contract",
            "metric",
            "organisation",
            "period_start",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class SpcRebaseInputSerializer(serializers.Serializer):
    contract = ScopedContractField(
        help_text="The contract (id) whose charts are rebased: its commissioner rebases; "
        "another contract's charts of the same series are untouched."
    )
    metric = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Metric.objects.all(),
        help_text="Metric code.",
        error_messages={"does_not_exist": "No metric with code '{value}'."},
    )
    organisation = ScopedOrganisationField(slug_field="code", help_text="Organisation code.")
    period_start = DateField(
        help_text="The first period of the new limits: a period of the series."
    )
    reason = serializers.CharField(
        help_text="Why the limits are recalculated, e.g. a service change.",
        error_messages={
            "required": "Give the reason for rebasing, e.g. a service change.",
            "blank": "Give the reason for rebasing, e.g. a service change.",
        },
    )


class SpcRebaseFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    metric = filters.CharFilter(field_name="metric__code", help_text="Metric code.")
    organisation = filters.CharFilter(
        field_name="organisation__code", help_text="Organisation code."
    )

    class Meta:
        model = SpcRebase
        fields = ["contract", "metric", "organisation"]


class SpcRebaseViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet):
    """SPC rebases of the contracts and series you may see. A rebase belongs
    to one contract: its commissioner (and admins) add one at a period of
    the series, with a reason, for a metric and organisation the contract
    holds; its creator or an admin withdraws it (the history keeps it). That
    contract's SPC chart then starts new limits there; no other contract's."""

    queryset = SpcRebase.objects.select_related("metric", "organisation", "created_by")
    serializer_class = SpcRebaseSerializer
    filterset_class = SpcRebaseFilter
    write_roles = (Role.COMMISSIONER,)

    @extend_schema(
        request=SpcRebaseInputSerializer,
        responses={
            201: SpcRebaseSerializer,
            400: OpenApiResponse(
                description="A field is missing or wrong, e.g. no reason, or period_start "
                "is not a period of the series; the error names the field."
            ),
            403: OpenApiResponse(
                description="Only the commissioner of an agreed contract holding the metric "
                "and organisation, and admins, rebase that contract's charts."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Rebase a series' SPC limits from a period on."""
        serializer = SpcRebaseInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        rebase = rebasing.add_rebase(user=request.user, **serializer.validated_data)
        data = self.get_serializer(self.get_queryset().get(pk=rebase.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            204: None,
            403: OpenApiResponse(description="Only the creator or an admin withdraws it."),
        }
    )
    def destroy(self, request, *args, **kwargs):
        """Withdraw a rebase (kept in the history)."""
        rebasing.withdraw_rebase(user=request.user, rebase=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
