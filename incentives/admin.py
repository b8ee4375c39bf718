"""Schemes and settlements are read here; they change only through the
services (versions are never edited, settlements are computed)."""

from django.contrib import admin

from contracts.admin import ReadOnlyAdmin
from incentives.models import IncentiveScheme, Settlement


@admin.register(IncentiveScheme)
class IncentiveSchemeAdmin(ReadOnlyAdmin):
    list_display = ["contract", "version", "effective_from_year", "created_by", "created_at"]
    list_filter = ["contract"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["contract_year", "status", "score", "net_transfer", "computed_at"]
    list_filter = ["status"]
