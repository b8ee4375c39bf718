"""Filtersets for the dialogues API. People are named by user name and
organisations by code; filters narrow the already-scoped queryset, so they
never reveal rows outside the person's scope."""

from django.db.models import Q
from django_filters import rest_framework as filters

from contracts.api.filters import IdFilter
from dialogues.choices import ActionStatus, MeetingType, SeriesLevel
from dialogues.models import Action, Meeting, MeetingSeries


class MeetingSeriesFilter(filters.FilterSet):
    provider = filters.CharFilter(field_name="provider__code", help_text="Network's code.")
    meeting_type = filters.ChoiceFilter(choices=MeetingType.choices)
    level = filters.ChoiceFilter(choices=SeriesLevel.choices)

    class Meta:
        model = MeetingSeries
        fields = ["provider", "meeting_type", "level", "is_active"]


class MeetingFilter(filters.FilterSet):
    series = IdFilter(field_name="series_id", help_text="Series id.")
    provider = filters.CharFilter(field_name="series__provider__code", help_text="Network's code.")
    meeting_type = filters.ChoiceFilter(
        field_name="series__meeting_type", choices=MeetingType.choices
    )
    starts_after = filters.DateFilter(field_name="starts_at__date", lookup_expr="gte")
    starts_before = filters.DateFilter(field_name="starts_at__date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["series", "provider", "meeting_type", "starts_after", "starts_before"]


class ActionFilter(filters.FilterSet):
    owner = filters.CharFilter(field_name="owner__username", help_text="Owner's user name.")
    status = filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    due_after = filters.DateFilter(
        field_name="due_on", lookup_expr="gte", help_text="Due on or after."
    )
    due_before = filters.DateFilter(
        field_name="due_on", lookup_expr="lte", help_text="Due on or before."
    )
    organisation = filters.CharFilter(
        method="filter_organisation",
        help_text="Organisation code: the owner's, the network, or the one it is about.",
    )
    meeting = IdFilter(field_name="meeting_id", help_text="Meeting that raised it.")

    class Meta:
        model = Action
        fields = ["owner", "status", "due_after", "due_before", "organisation", "meeting"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(
            Q(owner_organisation__code=value)
            | Q(provider__code=value)
            | Q(organisation__code=value)
        )
