"""The commissioner's data review of a contract's months."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from contracts.choices import Role
from contracts.models import Contract, Organisation
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary, tag
from outcomes import selectors
from outcomes.choices import ReviewStatus, Timeliness
from outcomes.forms import ReviewForm
from outcomes.permissions import can_read_data_review, can_review_data
from outcomes.services import reviews

# --- The commissioner's data review ---


def review_tag(review) -> dict:
    if review is None:
        return tag("Not reviewed", "grey")
    return ReviewStatus(review.status).tag


def review_options(review) -> list[str]:
    if review is not None and review.status == ReviewStatus.ACCEPTED:
        return ["unlock"]
    return ["accept", "query"]


class ContractDataView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/data/`: completeness and timeliness of each
    organisation's data for a month, and the commissioner's review of it.
    The commissioner (and admins) review; the provider side reads."""

    model = Contract
    template_name = "outcomes/contract_data.html"
    context_object_name = "contract"
    allowed_roles = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider")

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        user = self.request.user
        self.can_review = can_review_data(user, contract)
        require(
            can_read_data_review(user, contract),
            "Only the parties to this contract can see its data review.",
        )
        return contract

    def chosen_period(self, contract, months):
        text = self.request.POST.get("period") or self.request.GET.get("period", "")
        if text:
            try:
                period = dt.date.fromisoformat(f"{text[:7]}-01")
            except ValueError:
                period = None
            if period in months:
                return period
        # Default: the latest month that has ended, else the current one.
        return months[1] if len(months) > 1 else (months[0] if months else None)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require(self.can_review, "Only the commissioner of this contract can review its data.")
        months = selectors.contract_months(contract)
        period = self.chosen_period(contract, months)
        organisation = get_object_or_404(Organisation, pk=request.POST.get("organisation") or 0)
        form = ReviewForm(request.POST, prefix=f"org-{organisation.pk}")
        if period is not None and form.is_valid():
            try:
                review = reviews.review_period(
                    request.user,
                    contract,
                    organisation,
                    period,
                    form.cleaned_data["decision"],
                    form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{organisation.name}, {period:%B %Y}: {review.get_status_display().lower()}.",
                )
                return redirect(
                    f"{reverse('outcomes:contract-data', args=[contract.pk])}?period={period:%Y-%m}"
                )
        return self.render_to_response(
            self.get_context_data(bound_form=(organisation.pk, form)), status=200
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        today = timezone.localdate()
        months = selectors.contract_months(contract, today)
        period = self.chosen_period(contract, months)
        rows = selectors.completeness(contract, [period], today) if period else []
        corrections = selectors.corrections_after_acceptance(
            [
                row.review
                for row in rows
                if row.review and row.review.status == ReviewStatus.ACCEPTED
            ]
        )
        bound_org, bound_form = kwargs.get("bound_form", (None, None))
        for row in rows:
            row.corrections = corrections.get(row.review.pk, []) if row.review else []
            row.review_tag = review_tag(row.review)
            row.options = review_options(row.review)
            for item in row.items:
                item.state_text = item.state(today)
                item.state_tag = Timeliness(item.state_text).tag
            if self.can_review:
                if row.organisation.pk == bound_org:
                    row.form = bound_form
                else:
                    row.form = ReviewForm(prefix=f"org-{row.organisation.pk}")
        totals = selectors.OrganisationPeriod(organisation=None, period_start=period, today=today)
        totals.items = [item for row in rows for item in row.items]
        context.update(
            today=today,
            months=months,
            period=period,
            rows=rows,
            totals=totals,
            can_review=self.can_review,
            errors=error_summary(bound_form) if bound_form is not None else [],
        )
        return context
