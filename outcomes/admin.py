from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outcomes.models import Dimension, Metric, Outcome, PopulationGroup


@admin.register(Dimension)
class DimensionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "weight", "order"]
    list_editable = ["weight", "order"]


@admin.register(PopulationGroup)
class PopulationGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]


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
