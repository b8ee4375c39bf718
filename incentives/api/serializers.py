"""Serializers for the incentives API. Money and percentages are strings
(exact decimals); input serializers check a request's shape and look up what
it names, then the view hands it to one service, which applies the rules."""

from rest_framework import serializers

from contracts.api.serializers import ScopedContractField, enum_field
from core.api import ModelSerializer
from incentives.choices import Recipient, SettlementStatus
from incentives.models import (
    GainShareBand,
    IncentiveScheme,
    QualityIndicator,
    RiskCorridor,
    Settlement,
    SettlementComment,
    SettlementLine,
)
from incentives.services import SCHEME_PARAMETERS
from outcomes.api.serializers import metric_by_code

PERCENT = {"max_digits": 6, "decimal_places": 3}


class BandSerializer(ModelSerializer):
    class Meta:
        model = GainShareBand
        fields = ["lower", "upper", "network_share"]


class CorridorSerializer(ModelSerializer):
    class Meta:
        model = RiskCorridor
        fields = ["lower", "upper", "network_share"]


class IndicatorSerializer(ModelSerializer):
    metric = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = QualityIndicator
        fields = ["metric", "minimum", "maximum", "weight"]


class SchemeSerializer(ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    bands = BandSerializer(many=True, read_only=True)
    corridors = CorridorSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    at_risk_percents = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )
    is_used = serializers.BooleanField(
        read_only=True, help_text="Used in a settlement (versions never change anyway)."
    )

    class Meta:
        model = IncentiveScheme
        fields = [
            "id",
            "contract",
            "contract_reference",
            "version",
            "effective_from_year",
            *SCHEME_PARAMETERS,
            "support_plan_due_days",
            "at_risk_percents",
            "bands",
            "corridors",
            "indicators",
            "reason",
            "created_by",
            "created_at",
            "is_used",
        ]


class BandInputSerializer(serializers.Serializer):
    lower = serializers.DecimalField(**PERCENT)
    upper = serializers.DecimalField(**PERCENT)
    network_share = serializers.DecimalField(**PERCENT)


class CorridorInputSerializer(serializers.Serializer):
    lower = serializers.DecimalField(**PERCENT)
    upper = serializers.DecimalField(**PERCENT, allow_null=True, required=False, default=None)
    network_share = serializers.DecimalField(**PERCENT)


class IndicatorInputSerializer(serializers.Serializer):
    metric = metric_by_code(help_text="The metric's code; it must be one of the contract's.")
    minimum = serializers.DecimalField(max_digits=14, decimal_places=4)
    maximum = serializers.DecimalField(max_digits=14, decimal_places=4)
    weight = serializers.DecimalField(**PERCENT, help_text="% of contract value.")


class SchemeCreateSerializer(serializers.Serializer):
    """A new version of a contract's scheme. Parameters left out take the
    defaults (incentives.defaults, as in docs/incentives.md)."""

    contract = ScopedContractField()
    effective_from_year = serializers.IntegerField(min_value=1)
    gateway_score = serializers.DecimalField(**PERCENT, required=False)
    support_threshold = serializers.DecimalField(**PERCENT, required=False)
    penalty_threshold = serializers.DecimalField(**PERCENT, required=False)
    penalty_rate = serializers.DecimalField(**PERCENT, required=False)
    penalty_cap = serializers.DecimalField(**PERCENT, required=False)
    quality_pot = serializers.DecimalField(**PERCENT, required=False)
    minimum_coverage = serializers.DecimalField(**PERCENT, required=False)
    support_plan_due_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    at_risk_percents = serializers.ListField(
        child=serializers.DecimalField(**PERCENT), required=False, default=list
    )
    bands = BandInputSerializer(many=True)
    corridors = CorridorInputSerializer(many=True)
    indicators = IndicatorInputSerializer(many=True, required=False, default=list)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LineSerializer(ModelSerializer):
    recipient = enum_field("SettlementRecipientEnum", Recipient.choices, allow_blank=True)

    class Meta:
        model = SettlementLine
        fields = ["key", "label", "amount", "recipient", "inputs", "rule", "rule_version"]


class CommentSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(read_only=True, slug_field="username")
    organisation = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = SettlementComment
        fields = ["id", "author", "organisation", "text", "created_at"]


class SettlementSerializer(ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    year = serializers.IntegerField(source="contract_year.number", read_only=True)
    scheme_version = serializers.IntegerField(source="scheme.version", read_only=True)
    status = enum_field("SettlementStatusEnum", SettlementStatus.choices, read_only=True)
    signed_off_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )

    class Meta:
        model = Settlement
        fields = [
            "id",
            "contract",
            "contract_reference",
            "year",
            "scheme",
            "scheme_version",
            "status",
            "score",
            "savings",
            "net_transfer",
            "support_plan",
            "computed_at",
            "signed_off_by",
            "signed_off_at",
        ]


class SettlementDetailSerializer(SettlementSerializer):
    lines = LineSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(SettlementSerializer.Meta):
        fields = [
            *SettlementSerializer.Meta.fields,
            "inputs",
            "inputs_digest",
            "rule_version",
            "support_action",
            "support_plan_note",
            "lines",
            "comments",
        ]


class RunSerializer(serializers.Serializer):
    contract = ScopedContractField()
    year = serializers.IntegerField(min_value=1, help_text="The contract year's number.")


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class WhatIfInputSerializer(serializers.Serializer):
    settlement = serializers.IntegerField(help_text="The settlement to vary.")
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    actual_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False
    )


class WhatIfLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    recipient = serializers.CharField(allow_blank=True)
    inputs = serializers.DictField(child=serializers.CharField())
    rule = serializers.CharField()
    rule_version = serializers.CharField()


class WhatIfSerializer(serializers.Serializer):
    """A settlement recomputed with a changed score and/or cost; not saved."""

    settlement = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    actual_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    savings = serializers.DecimalField(max_digits=16, decimal_places=2)
    network_share_percent = serializers.DecimalField(
        max_digits=6, decimal_places=3, help_text="% of savings the network keeps at the score."
    )
    network_savings_share = serializers.DecimalField(max_digits=16, decimal_places=2)
    network_overspend_share = serializers.DecimalField(max_digits=16, decimal_places=2)
    penalty = serializers.DecimalField(max_digits=16, decimal_places=2)
    quality_payment = serializers.DecimalField(max_digits=16, decimal_places=2)
    outcome_payment = serializers.DecimalField(max_digits=16, decimal_places=2)
    support_plan = serializers.BooleanField()
    net_transfer = serializers.DecimalField(max_digits=16, decimal_places=2)
    lines = WhatIfLineSerializer(many=True)
