from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.admin import ReadOnlyAdmin
from outcomes.models import ContractMetric, Dimension, Metric, Outcome


@admin.register(Dimension)
class DimensionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "weight", "order"]
    list_editable = ["weight", "order"]


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "dimension", "population_group"]
    list_filter = ["dimension", "population_group"]
    search_fields = ["name"]
    list_select_related = ["dimension", "population_group"]


@admin.register(Metric)
class MetricAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "dimension",
        "metric_type",
        "direction",
        "frequency",
        "submitted_by",
        "is_national",
    ]
    list_filter = [
        "dimension",
        "metric_type",
        "direction",
        "frequency",
        "submitted_by",
        "is_national",
    ]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["outcome"]
    list_select_related = ["dimension"]


@admin.register(ContractMetric)
class ContractMetricAdmin(ReadOnlyAdmin):
    list_display = ["contract", "metric", "effective_from", "minimum_threshold", "target", "weight"]
    list_filter = ["contract", "accountable", "is_national"]
    list_select_related = ["contract", "metric"]
