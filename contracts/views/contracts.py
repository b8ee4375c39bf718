"""Contract pages: list, create, detail with metric terms, version history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView

from contracts import services
from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import ContractStatus, OrganisationKind, Role
from contracts.forms import ContractForm, ContractYearsForm
from contracts.models import Contract, ContractYear, Organisation, PerformanceNotice
from contracts.permissions import can_commission
from contracts.services import contract_year_bounds
from core.forms import add_service_errors
from core.roles import is_admin
from core.views import ScopedViewMixin, error_summary


class ContractListView(ScopedViewMixin, ListView):
    """`/contracts/`: the contracts the person can see, with open notices."""

    model = Contract
    scope = "agreements_visible_to"
    template_name = "contracts/contract_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        def count_of(rows):
            # order_by() clears the model ordering, which would split the GROUP BY.
            return Coalesce(
                Subquery(
                    rows.filter(contract=OuterRef("pk"))
                    .order_by()
                    .values("contract")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        return (
            queryset.select_related("commissioner", "provider")
            .annotate(
                open_notices=count_of(PerformanceNotice.objects.open()),
                year_count=count_of(ContractYear.objects.all()),
            )
            .order_by("reference")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_commission(self.request.user)
        context["offers"] = list(
            Contract.objects.offers_to(self.request.user).select_related("commissioner")
        )
        for contract in context["object_list"]:
            contract.status_tag = ContractStatus(contract.status).tag
        return context


def commissioners_of(user):
    """The commissioner organisations `user` may create contracts for."""
    commissioners = Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER)
    if is_admin(user):
        return commissioners.order_by("name")
    return (
        commissioners.filter(memberships__user=user, memberships__role=Role.COMMISSIONER)
        .distinct()
        .order_by("name")
    )


class ContractCreateView(ScopedViewMixin, TemplateView):
    """`/contracts/new/`: a commissioner creates a contract in two steps on one
    page: its terms, then a value and planned budget for each contract year
    (the years follow from the dates)."""

    model = Contract
    template_name = "contracts/contract_form.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get(self, request, *args, **kwargs):
        form = ContractForm(commissioners=commissioners_of(request.user))
        return self.render_to_response(self.get_context_data(form=form, years_form=None))

    def post(self, request, *args, **kwargs):
        form = ContractForm(request.POST, commissioners=commissioners_of(request.user))
        years_form = None
        if form.is_valid():
            start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
            bounds = contract_year_bounds(start, end)
            years_for = f"{start:%Y-%m-%d}:{end:%Y-%m-%d}"
            if (
                request.POST.get("action") == "create"
                and request.POST.get("years_for") == years_for
            ):
                years_form = ContractYearsForm(request.POST, bounds=bounds)
                if years_form.is_valid():
                    try:
                        contract = services.create_contract(
                            user=request.user, years=years_form.years(), **form.cleaned_data
                        )
                    except ValidationError as exc:
                        add_service_errors(form, exc)
                    else:
                        messages.success(
                            request,
                            f"Contract {contract.reference} saved as a draft: add its metrics "
                            f"and their targets, then offer it to {contract.provider.name}.",
                        )
                        return redirect("outcomes:contract-detail", pk=contract.pk)
            else:
                # First step, or the dates changed: ask for the years' values,
                # keeping any already typed in.
                initial = {k: v for k, v in request.POST.items() if k.startswith("year_")}
                years_form = ContractYearsForm(initial=initial, bounds=bounds)
            years_form.years_for = years_for
        return self.render_to_response(
            self.get_context_data(
                form=form, years_form=years_form, errors=error_summary(form, years_form)
            )
        )
