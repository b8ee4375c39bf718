"""Variations of an agreed contract's metric terms, on pages: proposing one
(`/contracts/<id>/variations/new/`, either party) and answering it
(`/contracts/variations/<id>/`: the other party accepts or rejects it, the
proposer may withdraw it). Each step is one service in
outcomes.services.variations."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import ContractStatus
from contracts.models import Contract
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary
from outcomes.choices import VariationStatus
from outcomes.forms import RejectVariationForm, VariationForm
from outcomes.models import ContractMetric, Variation
from outcomes.permissions import (
    can_answer_variation,
    can_propose_variation,
    can_withdraw_variation,
)
from outcomes.services import variations

PARTIES_ONLY = "Only the parties to this contract vary it."


class VariationCreateView(ScopedViewMixin, DetailView):
    model = Contract
    template_name = "outcomes/variation_form.html"
    context_object_name = "contract"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        form = form or VariationForm(initial={"effective_from": timezone.localdate()})
        context.update(
            form=form,
            errors=error_summary(form),
            terms=ContractMetric.objects.in_force_on(timezone.localdate())
            .filter(contract=contract)
            .select_related("metric")
            .order_by("metric__code"),
            is_agreed=contract.status == ContractStatus.ACCEPTED,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        require(can_propose_variation(request.user, self.object), PARTIES_ONLY)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require(can_propose_variation(request.user, contract), PARTIES_ONLY)
        form = VariationForm(request.POST)
        if form.is_valid():
            try:
                variation = variations.propose_variation(
                    user=request.user, contract=contract, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Variation of {variation.metric.code} proposed: it changes nothing until "
                    "the other party agrees it.",
                )
                return redirect("outcomes:variation-detail", pk=variation.pk)
        return self.render_to_response(self.get_context_data(form=form))


STEPS = ("accept", "reject", "withdraw")


class VariationDetailView(ScopedViewMixin, DetailView):
    model = Variation
    template_name = "outcomes/variation_detail.html"
    context_object_name = "variation"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related(
            "contract__commissioner",
            "contract__provider",
            "metric",
            "proposed_by_organisation",
            "proposed_by",
            "answered_by",
        )

    def get_context_data(self, reject_form=None, refusal=None, **kwargs):
        context = super().get_context_data(**kwargs)
        variation, user = self.object, self.request.user
        is_open = variation.status == VariationStatus.PROPOSED
        may_answer = is_open and can_answer_variation(user, variation)
        if may_answer and reject_form is None:
            reject_form = RejectVariationForm()
        context.update(
            status_tag=VariationStatus(variation.status).tag,
            current=ContractMetric.objects.filter(
                contract=variation.contract,
                metric=variation.metric,
                effective_from__lt=variation.effective_from,
            )
            .order_by("-effective_from")
            .first(),
            may_answer=may_answer,
            may_withdraw=is_open and can_withdraw_variation(user, variation),
            reject_form=reject_form if may_answer else None,
            errors=[("#variation", refusal)] if refusal else error_summary(reject_form),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = variation = self.get_object()
        require(can_propose_variation(request.user, variation.contract), PARTIES_ONLY)
        step = request.POST.get("step")
        if step not in STEPS:
            raise BadRequest("Unknown step.")
        if step == "withdraw":
            require(can_withdraw_variation(request.user, variation), variations.PROPOSER_ONLY)
        else:
            require(can_answer_variation(request.user, variation), variations.OTHER_PARTY)
        try:
            if step == "accept":
                variations.accept_variation(user=request.user, variation=variation)
                message = (
                    f"Agreed: {variation.metric.code}'s new terms apply from "
                    f"{variation.effective_from:%B %Y}, and the contract's scores from that "
                    "month are being recalculated."
                )
            elif step == "withdraw":
                variations.withdraw_variation(user=request.user, variation=variation)
                message = "The variation was withdrawn."
            else:
                form = RejectVariationForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(reject_form=form))
                variations.reject_variation(
                    user=request.user, variation=variation, **form.cleaned_data
                )
                message = "The variation was rejected: the terms stay as they are."
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(refusal=" ".join(exc.messages)))
        messages.success(request, message)
        return redirect("outcomes:variation-detail", pk=variation.pk)
