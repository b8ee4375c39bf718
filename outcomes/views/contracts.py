"""A contract's pages as outcomes sees them: the contract with its metric
terms in force, notices and scores (`/contracts/<id>/`, where the
commissioner sets metric terms), every version of one metric's terms, and
the contract's change log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import ContractStatus, NoticeStatus, Role
from contracts.models import Contract, NoticeEvent
from contracts.permissions import (
    acting_party,
    can_answer_offer,
    require_commissioner_of,
)
from contracts.presentation import next_deadline
from core.forms import add_service_errors
from core.roles import is_admin
from core.views import ScopedViewMixin, error_summary
from outcomes.choices import VariationStatus
from outcomes.contract_history import change_log
from outcomes.forms import ContractMetricForm
from outcomes.models import ContractMetric, ScoreRun
from outcomes.permissions import can_propose_variation
from outcomes.services import contract_terms


class ContractDetailView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/`: parties, years, metrics in force, open notices and
    the contract-management timeline; the commissioner sets metric terms."""

    model = Contract
    scope = "agreements_visible_to"
    template_name = "outcomes/contract_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider", "population_group")

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require_commissioner_of(request.user, contract)
        form = ContractMetricForm(request.POST)
        if form.is_valid():
            try:
                version = contract_terms.set_contract_metric(
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
                return redirect("outcomes:contract-detail", pk=contract.pk)
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
            notice.status_tag = NoticeStatus(notice.status).tag
        metric_form = kwargs.get("metric_form")
        if (
            is_commissioner
            and metric_form is None
            and contract.status not in contract_terms.TERMS_FIXED
        ):
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
            status_tag=ContractStatus(contract.status).tag,
            variations=[
                (variation, VariationStatus(variation.status).tag)
                for variation in contract.variations.select_related(
                    "metric", "proposed_by_organisation"
                )[:VARIATIONS_SHOWN]
            ],
            can_vary=contract.status == ContractStatus.ACCEPTED
            and can_propose_variation(user, contract),
            awaits_answer=contract.status == ContractStatus.OFFERED
            and can_answer_offer(user, contract),
            can_raise=party is not None and contract.is_binding,
            can_rescore=(is_commissioner or is_admin(user)) and contract.is_binding,
            scores=ScoreRun.objects.filter(contract=contract).aggregate(
                last=Max("computed_at"), months=Count("pk")
            ),
            latest_rescore=contract.rescore_requests.first(),
            metric_form=metric_form,
            errors=error_summary(metric_form) if metric_form is not None else [],
        )
        return context


TIMELINE_LENGTH = 100
VARIATIONS_SHOWN = 50


class ContractMetricHistoryView(ScopedViewMixin, ListView):
    """`/contracts/<id>/metrics/<metric id>/`: every version of a metric's terms."""

    model = ContractMetric
    template_name = "outcomes/contract_metric_history.html"
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


class ContractHistoryView(ScopedViewMixin, DetailView):
    model = Contract
    template_name = "outcomes/contract_history.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get_context_data(self, **kwargs):
        return super().get_context_data(changes=change_log(self.object), **kwargs)
