"""Incentive pages of the contracts a person is party to: the list, a
contract's schemes and settlements, and proposing a new scheme version."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from contracts.models import Contract
from core.views import ScopedViewMixin, error_summary
from incentives import permissions, services
from incentives.choices import SettlementStatus
from incentives.forms import SchemeForm, add_scheme_errors, initial_from
from incentives.models import Settlement
from incentives.querysets import party_contracts
from outcomes.models import ContractMetric, Metric


class PartyContractMixin(ScopedViewMixin):
    """Contracts the user is a party to (a member provider of a network sees
    its own data elsewhere, not the network's incentives)."""

    model = Contract
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.filter(id__in=party_contracts(self.request.user).values("id"))


class IncentivesHomeView(PartyContractMixin, ListView):
    """`/incentives/`: each contract with its scheme versions and settlements."""

    template_name = "incentives/home.html"
    context_object_name = "contracts"

    def scoped_queryset(self, queryset):
        return (
            super()
            .scoped_queryset(queryset)
            .select_related("commissioner", "provider")
            .prefetch_related(
                "incentive_schemes",
                Prefetch(
                    "settlements",
                    queryset=Settlement.objects.select_related("contract_year").order_by(
                        "contract_year__number"
                    ),
                ),
            )
            .order_by("reference")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for contract in context["contracts"]:
            for settlement in contract.settlements.all():
                settlement.tag = SettlementStatus(settlement.status).tag
        return context


class ContractIncentivesView(PartyContractMixin, DetailView):
    """`/incentives/contracts/<id>/`: scheme versions with every rule, and each
    contract year's settlement; the commissioner runs a year's settlement."""

    template_name = "incentives/contract.html"
    context_object_name = "contract"

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).select_related("commissioner", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        schemes = services.schemes_with_rules().filter(contract=contract).order_by("-version")
        settlements = {
            s.contract_year_id: s
            for s in Settlement.objects.filter(contract=contract).select_related("scheme")
        }
        today = timezone.localdate()
        years = []
        for year in contract.years.order_by("number"):
            settlement = settlements.get(year.pk)
            if settlement:
                settlement.tag = SettlementStatus(settlement.status).tag
            years.append({"year": year, "settlement": settlement, "ended": year.end_date < today})
        context.update(
            schemes=schemes,
            years=years,
            may_edit=permissions.can_write_scheme(self.request.user, contract),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        permissions.require_settler(request.user, contract)
        year = contract.years.filter(number=request.POST.get("year")).first()
        if year is None:
            return HttpResponseBadRequest("Choose a contract year.")
        try:
            settlement = services.compute_settlement(contract_year=year, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("incentives:contract", pk=contract.pk)
        messages.success(request, f"Year {year.number} settled as a draft: check every line.")
        return redirect("incentives:settlement-detail", pk=settlement.pk)


class SchemeCreateView(PartyContractMixin, DetailView):
    """`/incentives/contracts/<id>/scheme/new/`: a new version of the scheme,
    prefilled from the latest one; only the contract's commissioner."""

    template_name = "incentives/scheme_form.html"
    context_object_name = "contract"
    allowed_roles = (Role.COMMISSIONER,)

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        permissions.require_scheme_author(self.request.user, contract)
        return contract

    def make_form(self, data=None):
        contract = self.object
        metric_ids = ContractMetric.objects.filter(contract=contract).values("metric_id")
        metrics = list(Metric.objects.filter(pk__in=metric_ids).order_by("code"))
        latest = (
            services.schemes_with_rules().filter(contract=contract).order_by("-version").first()
        )
        next_year = min(
            [y.number for y in contract.years.all() if not hasattr(y, "settlement")] or [1]
        )
        return SchemeForm(
            data,
            contract=contract,
            metrics=metrics,
            initial=initial_from(latest, next_year),
        ), latest

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, latest = self.make_form()
        return self.render_to_response(self.get_context_data(form=form, latest=latest))

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        form, latest = self.make_form(request.POST)
        if form.is_valid():
            try:
                scheme = services.create_scheme_version(
                    user=request.user, contract=contract, **form.service_arguments()
                )
            except ValidationError as exc:
                add_scheme_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Scheme version {scheme.version} saved: it applies from year "
                    f"{scheme.effective_from_year}.",
                )
                return redirect("incentives:contract", pk=contract.pk)
        return self.render_to_response(
            self.get_context_data(form=form, latest=latest, errors=error_summary(form))
        )
