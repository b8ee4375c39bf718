"""The contract's financial plan against actual cost, by year and month; the
commissioner records actual cost and splits a year's budget by month."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from contracts import services
from contracts.access import PRIVATE_DATA_ROLES
from contracts.forms import ActualCostForm, MonthlyPlanForm
from contracts.models import Contract
from contracts.permissions import can_manage_contract, require_commissioner_of
from contracts.selectors import financial_position
from core.forms import add_service_errors
from core.numbers import money
from core.views import ScopedViewMixin, error_summary


class ContractFinanceView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/finance/`: per contract year, planned and actual cost
    by month with the variance (savings: planned - actual), the year's totals
    and year to date. Anyone who can see the contract reads it; its
    commissioner (or an admin) records actual cost and sets monthly plans."""

    model = Contract
    scope = "agreements_visible_to"
    template_name = "contracts/contract_finance.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider")

    def is_commissioner(self) -> bool:
        return can_manage_contract(self.request.user, self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_page()

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require_commissioner_of(request.user, contract)  # 403 for anyone else
        positions = financial_position(contract)
        action = request.POST.get("action")
        if action == "actual":
            form = ActualCostForm(request.POST)
            if form.is_valid():
                try:
                    cost, _ = services.record_actual_cost(
                        user=request.user, contract=contract, **form.cleaned_data
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        f"Actual cost of {money(cost.amount)} recorded for {cost.month:%B %Y}.",
                    )
                    return self.back_to_month(cost.month)
            return self.render_page(positions, actual_form=form, errors=error_summary(form))
        if action == "plan":
            position = next(
                (p for p in positions if str(p.number) == request.POST.get("year")), None
            )
            if position is None:
                return HttpResponseBadRequest("No such contract year.")
            form = plan_form(position, data=request.POST)
            if form.is_valid():
                year = contract.years.get(number=position.number)
                try:
                    services.set_monthly_plan(user=request.user, year=year, amounts=form.amounts())
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, f"Monthly plan for year {year.number} saved.")
                    return redirect(
                        reverse("contracts:contract-finance", args=[contract.pk])
                        + f"#year-{year.number}"
                    )
            return self.render_page(
                positions, plan_forms={position.number: form}, errors=error_summary(form)
            )
        return HttpResponseBadRequest("Unknown action.")

    def back_to_month(self, month):
        positions = financial_position(self.object)
        number = next(
            (p.number for p in positions if any(m.month == month for m in p.months)), None
        )
        url = reverse("contracts:contract-finance", args=[self.object.pk])
        return redirect(f"{url}#year-{number}" if number else url)

    def render_page(self, positions=None, actual_form=None, plan_forms=None, errors=()):
        if positions is None:
            positions = financial_position(self.object)
        can_edit = self.is_commissioner()
        plan_forms = plan_forms or {}
        years = []
        for position in positions:
            years.append(
                {
                    "position": position,
                    "months": [
                        {
                            "month": m.month,
                            "planned": money(m.planned),
                            "actual": money(m.actual),
                            "variance": money(m.variance),
                            "overspend": m.variance is not None and m.variance < 0,
                        }
                        for m in position.months
                    ],
                    "contract_value": money(position.contract_value),
                    "planned_budget": money(position.planned_budget),
                    "planned_total": money(position.planned_total),
                    "actual_total": money(position.actual_total),
                    "planned_to_date": money(position.planned_to_date),
                    "actual_to_date": money(position.actual_to_date),
                    "variance_to_date": money(position.variance_to_date),
                    "overspend_to_date": position.variance_to_date < 0,
                    "plan_form": (
                        (plan_forms.get(position.number) or plan_form(position))
                        if can_edit
                        else None
                    ),
                }
            )
        if can_edit and actual_form is None:
            today = timezone.localdate()
            initial = {}
            if self.object.start_date <= today <= self.object.end_date:
                initial["month"] = today.replace(day=1)
            actual_form = ActualCostForm(initial=initial)
        context = self.get_context_data(
            years=years,
            can_edit=can_edit,
            actual_form=actual_form if can_edit else None,
            errors=list(errors),
            open_plan=next(iter(plan_forms), None),
        )
        return self.render_to_response(context)


def plan_form(position, data=None) -> MonthlyPlanForm:
    """The monthly-plan form for one year, filled with its current plan."""
    return MonthlyPlanForm(
        data,
        prefix=f"year{position.number}",
        months=[m.month for m in position.months],
        initial={f"month_{n}": m.planned for n, m in enumerate(position.months, start=1)},
    )
