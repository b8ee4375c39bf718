"""Variations of an agreed contract's metric terms in the API (`variations`):
either party proposes (POST), the other accepts or rejects it with a reason,
the proposer may withdraw it (docs/contracts.md, Variations)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.filters import IdFilter
from contracts.api.serializers import ScopedContractField, enum_field
from contracts.choices import Role
from core.api import ScopedReadOnlyViewSet
from core.permissions import require
from outcomes.api.serializers import metric_by_code
from outcomes.choices import VariationStatus
from outcomes.models import Variation
from outcomes.permissions import can_answer_variation
from outcomes.services import variations


class VariationSerializer(serializers.ModelSerializer):
    contract = ScopedContractField(help_text="Contract id (an agreed contract).")
    metric = metric_by_code(help_text="Metric code: one of the contract's, or one to add.")
    status = enum_field("VariationStatusEnum", VariationStatus.choices, read_only=True)
    proposed_by_organisation = serializers.SlugRelatedField(read_only=True, slug_field="code")
    proposed_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    answered_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )
    version = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The contract-metric version it added."
    )

    class Meta:
        model = Variation
        fields = [
            "id",
            "contract",
            "metric",
            "effective_from",
            "minimum_threshold",
            "target",
            "baseline",
            "weight",
            "reason",
            "status",
            "proposed_by_organisation",
            "proposed_by",
            "proposed_at",
            "answered_by",
            "answered_at",
            "response",
            "version",
        ]
        read_only_fields = ["proposed_at", "answered_at", "response"]


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the variation is rejected.")


class VariationFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    status = filters.ChoiceFilter(choices=VariationStatus.choices)

    class Meta:
        model = Variation
        fields = ["contract", "status"]


class VariationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Variations of the agreed contracts the user is party to."""

    queryset = Variation.objects.select_related(
        "contract", "metric", "proposed_by_organisation", "proposed_by", "answered_by"
    )
    serializer_class = VariationSerializer
    filterset_class = VariationFilter
    write_roles = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)

    def answer(self, variation, code=status.HTTP_200_OK) -> Response:
        return Response(
            VariationSerializer(
                self.get_queryset().get(pk=variation.pk), context=self.get_serializer_context()
            ).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: serializer.validated_data[name]
            for name in ("contract", "metric", "effective_from", "minimum_threshold", "target")
        }
        variation = variations.propose_variation(
            user=request.user,
            reason=serializer.validated_data.get("reason", ""),
            baseline=serializer.validated_data.get("baseline"),
            weight=serializer.validated_data.get("weight"),
            **fields,
        )
        return self.answer(variation, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VariationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """Agree the variation (the other party): the terms change from its
        month and the contract's scores are recomputed."""
        return self.answer(
            variations.accept_variation(user=request.user, variation=self.get_object())
        )

    @extend_schema(request=RejectSerializer, responses=VariationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, format=None):
        """Reject the variation, saying why (the other party)."""
        variation = self.get_object()
        require(can_answer_variation(request.user, variation), variations.OTHER_PARTY)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.answer(
            variations.reject_variation(
                user=request.user, variation=variation, **serializer.validated_data
            )
        )

    @extend_schema(request=None, responses=VariationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """Withdraw the proposal (the party that made it)."""
        return self.answer(
            variations.withdraw_variation(user=request.user, variation=self.get_object())
        )
