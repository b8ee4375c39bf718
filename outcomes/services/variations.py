"""Variations of an agreed contract's metric terms (docs/contracts.md,
Variations): either party proposes new thresholds, target, baseline or
weight for a metric from a month, or a metric to add; the other party
accepts or rejects it with a reason; the proposer may withdraw it. Only an
accepted variation changes the terms (a new ContractMetric version), and the
contract's scores from that month are recomputed after the commit."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.choices import ContractStatus
from contracts.models import Contract
from contracts.permissions import acting_party
from core.history import save_as
from core.permissions import require
from core.tasks import publish_on_commit
from outcomes import tasks
from outcomes.choices import RunTrigger, VariationStatus
from outcomes.models import ContractMetric, Variation
from outcomes.permissions import (
    can_answer_variation,
    can_propose_variation,
    can_withdraw_variation,
)
from outcomes.services.contract_terms import add_version, term_errors
from outcomes.signals import checking_variation

PARTIES_ONLY = (
    "Only the commissioner's people and those who answer for the provider vary a contract."
)
OTHER_PARTY = "The other party answers a variation: not the one that proposed it."
PROPOSER_ONLY = "Only the party that proposed a variation withdraws it."
ALREADY = {
    VariationStatus.ACCEPTED: "This variation has already been agreed.",
    VariationStatus.REJECTED: "This variation was rejected.",
    VariationStatus.WITHDRAWN: "This variation was withdrawn.",
}


def _party(user, contract):
    """The party `user` speaks for on `contract`'s agreement."""
    require(can_propose_variation(user, contract), PARTIES_ONLY)
    return acting_party(user, contract)


def _refusals(contract, effective_from) -> dict:
    """What the apps above forbid (a signed-off settlement year)."""
    errors = {}
    for _receiver, answer in checking_variation.send(
        sender=Contract, contract=contract, effective_from=effective_from
    ):
        errors.update(answer or {})
    return errors


@transaction.atomic
def propose_variation(
    *,
    user,
    contract,
    metric,
    effective_from: dt.date,
    minimum_threshold,
    target,
    reason: str,
    baseline=None,
    weight=None,
) -> Variation:
    """Propose new terms for `metric` (or to add it) from the month of
    `effective_from`, for the other party to answer. A baseline or weight
    not given stays as it is (a metric added weighs 1)."""
    party = _party(user, contract)
    contract = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    if contract.status != ContractStatus.ACCEPTED:
        raise ValidationError(
            {"contract": "Only an agreed contract in force is varied: this one is not."}
        )
    effective_from = effective_from.replace(day=1)
    reason = (reason or "").strip()
    errors = term_errors(contract, metric, effective_from, minimum_threshold, target, reason)
    if effective_from < contract.start_date.replace(day=1):
        errors["effective_from"] = "A variation cannot take effect before the contract starts."
    if not reason:
        errors["reason"] = "Say why the terms should change."
    errors = {**errors, **_refusals(contract, effective_from)}
    if Variation.objects.open().filter(contract=contract, metric=metric).exists():
        errors["metric"] = (
            f"A variation of {metric.code} is already waiting for an answer: answer or "
            "withdraw it first."
        )
    if errors:
        raise ValidationError(errors)
    current = (
        ContractMetric.objects.filter(contract=contract, metric=metric)
        .order_by("-effective_from")
        .first()
    )
    if baseline is None and current is not None:
        baseline = current.baseline
    if weight is None:
        weight = current.weight if current is not None else 1
    variation = Variation(
        contract=contract,
        metric=metric,
        effective_from=effective_from,
        minimum_threshold=minimum_threshold,
        target=target,
        baseline=baseline,
        weight=weight,
        reason=reason,
        proposed_by_organisation=party,
        proposed_by=user,
    )
    variation.full_clean()
    return save_as(variation, user)


def _open(variation) -> Variation:
    """The variation, its row locked (concurrent answers queue up and the
    second finds the first's), if still waiting for an answer."""
    variation = (
        Variation.objects.select_for_update(of=("self",))
        .select_related("contract", "metric", "proposed_by_organisation")
        .get(pk=variation.pk)
    )
    if variation.status != VariationStatus.PROPOSED:
        raise ValidationError({"status": f"{ALREADY[variation.status]} Nothing was changed."})
    return variation


@transaction.atomic
def accept_variation(*, user, variation) -> Variation:
    """The other party agrees: the new terms apply from the variation's
    month, and the contract's scores are recomputed after the commit."""
    variation = _open(variation)
    require(can_answer_variation(user, variation), OTHER_PARTY)
    contract = variation.contract
    errors = _refusals(contract, variation.effective_from)
    if contract.status != ContractStatus.ACCEPTED:
        errors["contract"] = "The contract is no longer in force: nothing can be varied."
    if errors:
        raise ValidationError(errors)
    current = (
        ContractMetric.objects.filter(contract=contract, metric=variation.metric)
        .order_by("-effective_from")
        .first()
    )
    variation.version = add_version(
        user=user,
        contract=contract,
        metric=variation.metric,
        effective_from=variation.effective_from,
        minimum_threshold=variation.minimum_threshold,
        target=variation.target,
        baseline=variation.baseline,
        weight=variation.weight,
        is_national=current.is_national if current else variation.metric.is_national,
        accountable=current.accountable if current else variation.metric.submitted_by,
        reason=f"Variation agreed: {variation.reason}"[:300],
    )
    variation.status = VariationStatus.ACCEPTED
    variation.answered_by, variation.answered_at = user, timezone.now()
    save_as(variation, user)
    publish_on_commit(tasks.rescore_contract, contract.pk, RunTrigger.VARIATION)
    return variation


@transaction.atomic
def reject_variation(*, user, variation, reason: str) -> Variation:
    """The other party declines the change, saying why; the terms stay."""
    reason = (reason or "").strip()
    variation = _open(variation)
    require(can_answer_variation(user, variation), OTHER_PARTY)
    if not reason:
        raise ValidationError({"reason": "Say why the variation is rejected."})
    variation.status, variation.response = VariationStatus.REJECTED, reason
    variation.answered_by, variation.answered_at = user, timezone.now()
    return save_as(variation, user)


@transaction.atomic
def withdraw_variation(*, user, variation) -> Variation:
    """The proposing party takes its proposal back before it is answered."""
    variation = _open(variation)
    require(can_withdraw_variation(user, variation), PROPOSER_ONLY)
    variation.status = VariationStatus.WITHDRAWN
    variation.answered_by, variation.answered_at = user, timezone.now()
    return save_as(variation, user)
