"""A contract's metric terms in the API: `contract-metrics` (every version,
posted to add one), and `contracts` answered with the terms in force today
(`metrics_in_force`), which contracts' own viewset leaves to this app."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from contracts.api import views as contract_api
from contracts.api.filters import IdFilter
from contracts.api.serializers import (
    ContractCreateSerializer,
    ContractDetailSerializer,
    ScopedContractField,
    local_today,
)
from contracts.choices import Role
from core.api import ModelSerializer, ScopedReadOnlyViewSet
from outcomes.api.serializers import metric_by_code
from outcomes.models import ContractMetric
from outcomes.services import contract_terms


class ContractMetricInForceSerializer(ModelSerializer):
    """A contract metric's terms as they stand, inside a contract."""

    metric = serializers.SlugRelatedField(read_only=True, slug_field="code")
    metric_name = serializers.CharField(source="metric.name", read_only=True)

    class Meta:
        model = ContractMetric
        fields = [
            "id",
            "metric",
            "metric_name",
            "effective_from",
            "minimum_threshold",
            "target",
            "baseline",
            "weight",
            "is_national",
            "accountable",
        ]


class ContractMetricSerializer(ModelSerializer):
    """One version of a metric's terms in a contract. Posting adds a version in
    force from effective_from; versions are never rewritten."""

    contract = ScopedContractField(agreements=True, help_text="Contract id.")
    metric = metric_by_code(help_text="Metric code.")
    created_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )

    class Meta:
        model = ContractMetric
        fields = [
            "id",
            "contract",
            "metric",
            "effective_from",
            "minimum_threshold",
            "target",
            "baseline",
            "weight",
            "is_national",
            "accountable",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]
        # The unique (contract, metric, effective_from) check is done in
        # validate() so its error names a field rather than none.
        validators = []

    def validate(self, attrs):
        if ContractMetric.objects.filter(
            contract=attrs["contract"],
            metric=attrs["metric"],
            effective_from=attrs["effective_from"],
        ).exists():
            raise serializers.ValidationError(
                {"effective_from": "A version from this date exists: versions are never rewritten."}
            )
        return attrs


class ContractWithTermsSerializer(ContractDetailSerializer):
    metrics_in_force = ContractMetricInForceSerializer(
        many=True, read_only=True, help_text="The contract metrics in force today."
    )

    class Meta(ContractDetailSerializer.Meta):
        fields = [*ContractDetailSerializer.Meta.fields, "metrics_in_force"]


class ContractMetricFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    metric = filters.CharFilter(field_name="metric__code", help_text="Metric code.")
    in_force_on = filters.DateFilter(
        method="filter_in_force_on",
        help_text="Only the version of each contract metric in force on this date.",
    )

    class Meta:
        model = ContractMetric
        fields = ["contract", "metric", "in_force_on"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class ContractViewSet(contract_api.ContractViewSet):
    """Contracts the signed-in user holds or is party to. Commissioners create
    contracts with their years; a contract shows its metrics in force today."""

    detail_serializer_class = ContractWithTermsSerializer

    def scoped_queryset(self, queryset):
        queryset = super().scoped_queryset(queryset)
        if self.action in ("list", "finance", "monthly_plan"):
            return queryset
        in_force = ContractMetric.objects.in_force_on(local_today()).select_related("metric")
        return queryset.prefetch_related(
            Prefetch("metric_versions", queryset=in_force, to_attr="metrics_in_force")
        )

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractWithTermsSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class ContractMetricViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Versions of contract metrics' terms. Posting adds a version in force from
    its effective_from; versions are never rewritten or deleted, so there is
    no PUT, PATCH or DELETE."""

    queryset = ContractMetric.objects.select_related("contract", "metric", "created_by")
    serializer_class = ContractMetricSerializer
    filterset_class = ContractMetricFilter
    write_roles = (Role.COMMISSIONER,)

    def perform_create(self, serializer):
        serializer.instance = contract_terms.set_contract_metric(
            user=self.request.user, **serializer.validated_data
        )
