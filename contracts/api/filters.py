"""Filtersets for the contracts API. Organisations and metrics are named by
code; rows by id. Filters narrow the already-scoped queryset, and an id filter
is a plain number (not a model choice) so it never reveals whether a row
outside the person's scope exists."""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from contracts.choices import CLOSED_NOTICE_STATUSES, NoticeStatus
from contracts.models import ActualCost, Contract, Organisation, PerformanceNotice

MAX_ID = 2**63 - 1  # BigAutoField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class CountingNumberFilter(filters.Filter):
    """A whole number from 1 in the ids' range, or a 400 naming the filter
    (a number too large for the database must not reach it)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(CountingNumberFilter):
    """A row id."""


class OrganisationFilter(filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "code", "is_active"]


class ContractFilter(filters.FilterSet):
    commissioner = filters.CharFilter(
        field_name="commissioner__code", help_text="Commissioner's organisation code."
    )
    provider = filters.CharFilter(
        field_name="provider__code", help_text="Provider's or network's organisation code."
    )
    payment_model = filters.ChoiceFilter(choices=Contract.PaymentModel.choices)
    active_on = filters.DateFilter(
        method="filter_active_on", help_text="Contracts running on this date."
    )

    class Meta:
        model = Contract
        fields = ["commissioner", "provider", "payment_model", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class NoticeFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    status = filters.ChoiceFilter(choices=NoticeStatus.choices)
    open = filters.BooleanFilter(
        method="filter_open", help_text="true: open notices only; false: closed ones only."
    )
    raised_by_organisation = filters.CharFilter(
        field_name="raised_by_organisation__code",
        help_text="Code of the organisation that raised the notice.",
    )

    class Meta:
        model = PerformanceNotice
        fields = ["contract", "status", "open", "raised_by_organisation"]

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.filter(status__in=CLOSED_NOTICE_STATUSES)


class ActualCostFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    month_from = filters.DateFilter(
        field_name="month", lookup_expr="gte", help_text="Months from this date on."
    )
    month_to = filters.DateFilter(
        field_name="month", lookup_expr="lte", help_text="Months up to this date."
    )

    class Meta:
        model = ActualCost
        fields = ["contract", "month_from", "month_to"]
