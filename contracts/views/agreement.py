"""`/contracts/<id>/agreement/`: where a contract is in its agreement and the
next step each party may take: the commissioner offers a draft or withdraws
it; the provider's people accept or decline the offer; either party ends an
agreed contract early. Every step is one service in contracts.services."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect
from django.views.generic import DetailView

from contracts import services
from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import ContractStatus, ContractStep
from contracts.forms import DeclineForm, TerminateForm
from contracts.models import Contract
from contracts.permissions import (
    can_act_on_agreement,
    can_answer_offer,
    can_manage_contract,
    can_terminate,
)
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary

DONE = {
    ContractStep.OFFER: "Offered to {provider}: it binds no one until {provider} accepts.",
    ContractStep.WITHDRAW: "The offer was withdrawn.",
    ContractStep.ACCEPT: "Accepted: the contract is agreed and its scores are being worked out.",
    ContractStep.DECLINE: "Declined: the commissioner has been told why.",
    ContractStep.TERMINATE: "The contract ends on {ends_on:%-d %B %Y}.",
}


class ContractAgreementView(ScopedViewMixin, DetailView):
    model = Contract
    scope = "agreements_visible_to"
    template_name = "contracts/contract_agreement.html"
    context_object_name = "contract"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider", "answered_by")

    def steps(self, contract) -> set[str]:
        """The steps `user` may take now (services check again)."""
        user, status = self.request.user, contract.status
        allowed = set()
        if can_manage_contract(user, contract):
            if status == ContractStatus.DRAFT:
                allowed |= {ContractStep.OFFER, ContractStep.WITHDRAW}
            if status == ContractStatus.OFFERED:
                allowed.add(ContractStep.WITHDRAW)
        if status == ContractStatus.OFFERED and can_answer_offer(user, contract):
            allowed |= {ContractStep.ACCEPT, ContractStep.DECLINE}
        if status == ContractStatus.ACCEPTED and can_terminate(user, contract):
            allowed.add(ContractStep.TERMINATE)
        return allowed

    def get_context_data(self, decline_form=None, terminate_form=None, refusal=None, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        steps = self.steps(contract)
        if ContractStep.DECLINE in steps and decline_form is None:
            decline_form = DeclineForm()
        if ContractStep.TERMINATE in steps and terminate_form is None:
            terminate_form = TerminateForm()
        context.update(
            status_tag=ContractStatus(contract.status).tag,
            steps=steps,
            Step=ContractStep,
            decline_form=decline_form if ContractStep.DECLINE in steps else None,
            terminate_form=terminate_form if ContractStep.TERMINATE in steps else None,
            errors=[("#agreement", refusal)]
            if refusal
            else error_summary(decline_form, terminate_form),
            history=contract.history.select_related("history_user")
            .exclude(history_change_reason=None)
            .order_by("-history_date"),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        require(
            can_act_on_agreement(request.user, contract),
            "Only the commissioner and those who answer for the provider act on the agreement.",
        )
        try:
            step = ContractStep(request.POST.get("step"))
        except ValueError as exc:
            raise BadRequest("Unknown step.") from exc
        user, forms = request.user, {}
        try:
            if step == ContractStep.OFFER:
                contract = services.offer_contract(user=user, contract=contract)
            elif step == ContractStep.WITHDRAW:
                contract = services.withdraw_offer(user=user, contract=contract)
            elif step == ContractStep.ACCEPT:
                contract = services.accept_offer(user=user, contract=contract)
            elif step == ContractStep.DECLINE:
                form = forms["decline_form"] = DeclineForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(**forms))
                contract = services.decline_offer(user=user, contract=contract, **form.cleaned_data)
            else:
                form = forms["terminate_form"] = TerminateForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(**forms))
                contract = services.terminate_contract(
                    user=user, contract=contract, **form.cleaned_data
                )
        except ValidationError as exc:
            if forms:
                add_service_errors(next(iter(forms.values())), exc)
                return self.render_to_response(self.get_context_data(**forms))
            return self.render_to_response(self.get_context_data(refusal=" ".join(exc.messages)))
        messages.success(
            request, DONE[step].format(provider=contract.provider.name, ends_on=contract.ends_on)
        )
        return redirect("contracts:contract-agreement", pk=contract.pk)
