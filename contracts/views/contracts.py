"""Contract pages: list, create, detail with metric terms, version history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts import services
from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import OrganisationKind, Role
from contracts.forms import ContractForm, ContractMetricForm, ContractYearsForm
from contracts.models import (
    Contract,
    ContractMetric,
    ContractYear,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
)
from contracts.notices import acting_party
from contracts.permissions import require_commissioner_of
from contracts.services import contract_year_bounds
from contracts.views.helpers import NOTICE_STATUS_COLOURS, next_deadline
from core.forms import add_service_errors
from core.roles import has_role
from core.views import ScopedViewMixin, error_summary, tag
from outcomes.models import ScoreRun


class ContractListView(ScopedViewMixin, ListView):
    """`/contracts/`: the contracts the person can see, with open notices."""

    model = Contract
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
        context["can_create"] = has_role(self.request.user, Role.COMMISSIONER)
        return context


def commissioners_of(user):
    """The commissioner organisations `user` may create contracts for."""
    commissioners = Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER)
    if user.is_staff:
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
                        messages.success(request, f"Contract {contract.reference} created.")
                        return redirect("contract-detail", pk=contract.pk)
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


class ContractDetailView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/`: parties, years, metrics in force, open notices and
    the contract-management timeline; the commissioner sets metric terms."""

    model = Contract
    template_name = "contracts/contract_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider", "population_group")

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require_commissioner_of(request.user, contract)
        form = ContractMetricForm(request.POST)
        if form.is_valid():
            try:
                version = services.set_contract_metric(
                    user=request.user, contract=contract, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{version.metric.code} terms in force from "
                    f"{version.effective_from.day} {version.effective_from:%B %Y}.",
                )
                return redirect("contract-detail", pk=contract.pk)
        return self.render_to_response(self.get_context_data(metric_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, user = self.object, self.request.user
        today = timezone.localdate()
        party = acting_party(user, contract)
        is_commissioner = party is not None and party.pk == contract.commissioner_id
        notices = list(
            contract.notices.open()
            .select_related("raised_by_organisation")
            .annotate(
                next_milestone=Min(
                    "milestones__due_on", filter=Q(milestones__completed_on__isnull=True)
                )
            )
        )
        for notice in notices:
            notice.deadline = next_deadline(notice, today)
            notice.status_tag = tag(
                notice.get_status_display(), NOTICE_STATUS_COLOURS[notice.status]
            )
        metric_form = kwargs.get("metric_form")
        if is_commissioner and metric_form is None:
            metric_form = ContractMetricForm(initial={"effective_from": today})
        context.update(
            today=today,
            years=contract.years.all(),
            metrics=ContractMetric.objects.in_force_on(today)
            .filter(contract=contract)
            .select_related("metric", "metric__dimension")
            .order_by("metric__dimension__order", "metric__code"),
            notices=notices,
            timeline=NoticeEvent.objects.filter(notice__contract=contract)
            .select_related("author", "notice")
            .order_by("-on", "-recorded_at", "-pk")[:TIMELINE_LENGTH],
            timeline_length=TIMELINE_LENGTH,
            can_raise=party is not None,
            can_rescore=is_commissioner or user.is_staff,
            scores=ScoreRun.objects.filter(contract=contract).aggregate(
                last=Max("computed_at"), months=Count("pk")
            ),
            latest_rescore=contract.rescore_requests.first(),
            metric_form=metric_form,
            errors=error_summary(metric_form) if metric_form is not None else [],
        )
        return context


TIMELINE_LENGTH = 100


class ContractMetricHistoryView(ScopedViewMixin, ListView):
    """`/contracts/<id>/metrics/<metric id>/`: every version of a metric's terms."""

    model = ContractMetric
    template_name = "contracts/contract_metric_history.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return (
            queryset.filter(contract_id=self.kwargs["pk"], metric_id=self.kwargs["metric_id"])
            .select_related("contract", "metric", "created_by")
            .order_by("-effective_from")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(context["object_list"])
        if not versions:
            raise Http404("No such metric in this contract.")
        today = timezone.localdate()
        in_force = next((v for v in versions if v.effective_from <= today), None)
        context.update(
            versions=versions,
            contract=versions[0].contract,
            metric=versions[0].metric,
            in_force=in_force,
        )
        return context
