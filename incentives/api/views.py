"""API viewsets for incentive schemes and settlements. Reads are scoped to
the parties of each contract by the base classes; each write validates the
request, calls one service (incentives.services) and answers with the row
read back through the scoped queryset."""

from django.db.models import Exists, OuterRef, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from contracts.api.filters import CountingNumberFilter, IdFilter
from contracts.choices import Role
from core.api import ScopedReadOnlyViewSet
from core.schema import DETAIL
from incentives import permissions, services
from incentives.api.serializers import (
    CommentInputSerializer,
    RunSerializer,
    SchemeCreateSerializer,
    SchemeSerializer,
    SettlementDetailSerializer,
    SettlementSerializer,
    WhatIfInputSerializer,
    WhatIfSerializer,
)
from incentives.choices import SettlementStatus
from incentives.models import IncentiveScheme, QualityIndicator, Settlement, SettlementComment


class SchemeFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    version = CountingNumberFilter(help_text="Scheme version.")

    class Meta:
        model = IncentiveScheme
        fields = ["contract", "version"]


class SettlementFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    year = CountingNumberFilter(field_name="contract_year__number", help_text="Contract year.")
    status = filters.ChoiceFilter(choices=SettlementStatus.choices)

    class Meta:
        model = Settlement
        fields = ["contract", "year", "status"]


class IncentiveSchemeViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Versions of contracts' incentive schemes (docs/incentives.md). Posting
    adds a version applying from a contract year; versions are never changed
    or deleted, so there is no PUT, PATCH or DELETE."""

    queryset = IncentiveScheme.objects.select_related("contract", "created_by")
    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter
    write_roles = (Role.COMMISSIONER,)

    def get_serializer_class(self):
        return SchemeCreateSerializer if self.action == "create" else SchemeSerializer

    def scoped_queryset(self, queryset):
        return queryset.annotate(
            is_used=Exists(Settlement.objects.filter(scheme=OuterRef("pk")))
        ).prefetch_related(
            "bands",
            "corridors",
            Prefetch("indicators", queryset=QualityIndicator.objects.select_related("metric")),
        )

    @extend_schema(request=SchemeCreateSerializer, responses={201: SchemeSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        for name in ("bands", "corridors", "indicators"):
            fields[name] = [dict(row) for row in fields[name]]
        scheme = services.create_scheme_version(user=request.user, **fields)
        return Response(
            SchemeSerializer(self.get_queryset().get(pk=scheme.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class SettlementViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Settlements of contract years, line by line. The commissioner runs
    (or reruns) a year's draft by posting the contract and year, and signs it
    off; the parties comment on a draft. `what-if` recomputes a settlement
    with a changed score or cost without saving anything."""

    queryset = Settlement.objects.select_related(
        "contract", "contract_year", "scheme", "signed_off_by"
    )
    filterset_class = SettlementFilter
    write_roles = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)

    def get_serializer_class(self):
        if self.action == "list":
            return SettlementSerializer
        if self.action == "create":
            return RunSerializer
        return SettlementDetailSerializer

    def scoped_queryset(self, queryset):
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            "lines",
            Prefetch(
                "comments",
                queryset=SettlementComment.objects.select_related("author", "organisation"),
            ),
        )

    def settlement_response(self, pk, status_code=status.HTTP_200_OK) -> Response:
        return Response(
            SettlementDetailSerializer(self.get_queryset().get(pk=pk)).data, status=status_code
        )

    @extend_schema(request=RunSerializer, responses={200: SettlementDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Compute the draft settlement of a contract year now (the
        commissioner); unchanged inputs leave an existing draft as it is."""
        serializer = RunSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contract = serializer.validated_data["contract"]
        number = serializer.validated_data["year"]
        year = contract.years.filter(number=number).first()
        if year is None:
            return Response(
                {"year": [f"The contract has no year {number}."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        settlement = services.compute_settlement(contract_year=year, user=request.user)
        return self.settlement_response(settlement.pk)

    @extend_schema(request=None, responses=SettlementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None, format=None):
        """Sign off and lock the settlement (its commissioner). Refused when
        the inputs changed since it was computed: rerun it first."""
        services.sign_off(user=request.user, settlement=self.get_object())
        return self.settlement_response(pk)

    @extend_schema(request=CommentInputSerializer, responses={201: SettlementDetailSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None, format=None):
        """Comment on a draft settlement (either party)."""
        settlement = self.get_object()  # out of scope: 404 before the input is read
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.add_comment(user=request.user, settlement=settlement, **serializer.validated_data)
        return self.settlement_response(pk, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[WhatIfInputSerializer],
        responses={
            200: WhatIfSerializer,
            404: OpenApiResponse(DETAIL, description="No such settlement that you can see."),
        },
        description="Recompute a settlement with a changed aggregate score and/or actual "
        "cost, under its own scheme version. Nothing is saved. Commissioners and network "
        "managers of the contract.",
    )
    @action(detail=False, methods=["get"], url_path="what-if")
    def what_if(self, request, format=None):
        permissions.require_what_if(request.user)
        serializer = WhatIfInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        settlement = self.get_queryset().filter(pk=data["settlement"]).first()
        if settlement is None:
            raise NotFound("No such settlement.")
        score = data.get("score")
        actual_cost = data.get("actual_cost")
        result = services.what_if(settlement=settlement, score=score, actual_cost=actual_cost)
        stored = settlement.inputs
        body = {
            "settlement": settlement.pk,
            "score": score if score is not None else stored["score"],
            "actual_cost": actual_cost if actual_cost is not None else stored["actual_cost"],
            "savings": result.savings,
            "network_share_percent": result.network_share_percent,
            "network_savings_share": result.network_savings_share,
            "network_overspend_share": result.network_overspend_share,
            "penalty": result.penalty,
            "quality_payment": result.quality_payment,
            "outcome_payment": result.outcome_payment,
            "support_plan": result.support_plan,
            "net_transfer": result.net_transfer,
            "lines": [line.__dict__ for line in result.lines],
        }
        return Response(WhatIfSerializer(body).data)
