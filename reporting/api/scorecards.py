"""/api/v1/scorecards/: published scorecards, for anyone (no sign-in).

Both kinds: a contract's network or provider for a month (`kind`
"contract") and a commissioner's assurance assessment for a year
("assurance": no contract; the snapshot is reporting.assurance_publishing's). The same
published data as the public pages: each scorecard's frozen snapshot, who
published it and when, and, once withdrawn, when and why (the snapshot is
then left out, as the page leaves out its figures; an assurance snapshot
never carries 360 comment text, see assurance.public.public_snapshot). Nothing
unpublished is reachable here: the only rows are PublishedScorecard's."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from assurance.public import public_snapshot
from core.api import ModelSerializer, ScopedViewSetMixin
from reporting.choices import ScorecardKind
from reporting.models import PublishedScorecard


class ScorecardFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ScorecardKind.choices)
    organisation = filters.CharFilter(
        field_name="organisation__code",
        help_text="Organisation code (the network, provider or assessed commissioner).",
    )
    period = filters.DateFilter(
        field_name="period_start", help_text="The month's first day (1 January for assurance)."
    )
    withdrawn = filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True, help_text="true or false."
    )

    class Meta:
        model = PublishedScorecard
        fields = ["kind", "organisation", "period", "withdrawn"]


class ScorecardSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The public page.")
    contract = serializers.CharField(
        source="contract.reference",
        allow_null=True,
        help_text="Contract reference; null for an assurance scorecard.",
    )
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    published_by = serializers.SerializerMethodField()
    withdrawn = serializers.BooleanField(source="is_withdrawn")
    snapshot = serializers.SerializerMethodField(
        help_text="Scores, text and chart data as published; null once withdrawn. A "
        "figure pooled over organisations that the small-numbers rule withheld "
        "(docs/permissions.md) is null, with `withheld` beside it saying why."
    )

    class Meta:
        model = PublishedScorecard
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "contract",
            "organisation",
            "organisation_name",
            "period_start",
            "summary",
            "published_by",
            "published_at",
            "withdrawn",
            "withdrawn_at",
            "withdrawal_reason",
            "snapshot",
        ]
        read_only_fields = fields

    def get_url(self, scorecard) -> str:
        request = self.context.get("request")
        path = scorecard.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_published_by(self, scorecard) -> str:
        user = scorecard.published_by
        return user.get_full_name() or user.username

    @extend_schema_field({"type": "object", "nullable": True})
    def get_snapshot(self, scorecard):
        if scorecard.is_withdrawn:
            return None
        if scorecard.kind == ScorecardKind.ASSURANCE:
            return public_snapshot(scorecard.snapshot)
        return scorecard.snapshot

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_withdrawn:
            data["summary"] = None
        return data


class ScorecardViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Published scorecards, newest month first: anyone may read them."""

    queryset = PublishedScorecard.objects.select_related("contract", "organisation", "published_by")
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # public data: no session, so no CSRF concerns
