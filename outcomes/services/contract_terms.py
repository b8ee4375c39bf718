"""A contract's metric terms: the thresholds, target and weight a metric is
scored by on a contract.

Attaching a metric to a contract, or changing its terms from a date, adds a
version (ContractMetric); versions are never rewritten, so earlier periods
keep the terms they were scored by."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from contracts.choices import ContractStatus
from contracts.models import Contract
from contracts.permissions import require_commissioner_of
from core.history import save_as
from outcomes.choices import Direction
from outcomes.models import ContractMetric

# The commissioner sets terms while drafting the offer. Once agreed they
# change only by a variation both parties accept (outcomes.services.variations);
# not while the provider considers the offer, nor once it is closed.
TERMS_FIXED = {
    ContractStatus.ACCEPTED: "The contract is agreed: its terms change only by a variation "
    "both parties accept. Propose one on the contract's page.",
    ContractStatus.OFFERED: "The offer is waiting for the provider's answer: its terms cannot "
    "change until then.",
    ContractStatus.DECLINED: "The provider declined this offer: its terms no longer change.",
    ContractStatus.WITHDRAWN: "This offer was withdrawn: its terms no longer change.",
    ContractStatus.TERMINATED: "The contract has been terminated: its terms no longer change.",
}


def check_thresholds(metric, minimum, target) -> dict[str, str]:
    """Errors in a metric's minimum threshold and target, by field."""
    if minimum == target:
        return {"target": "The target must differ from the minimum threshold."}
    if metric.direction == Direction.HIGHER_IS_BETTER and target < minimum:
        return {"target": "Higher is better for this metric: the target must be above the minimum."}
    if metric.direction == Direction.LOWER_IS_BETTER and target > minimum:
        return {"target": "Lower is better for this metric: the target must be below the minimum."}
    return {}


@transaction.atomic
def set_contract_metric(
    *,
    user,
    contract,
    metric,
    effective_from: dt.date,
    minimum_threshold,
    target,
    baseline=None,
    weight=1,
    is_national=False,
    accountable="provider",
    reason="",
) -> ContractMetric:
    """Attach a metric to a contract, or change its terms from a date. A change
    adds a version in force from `effective_from`; earlier versions are kept,
    so periods before that date are still scored by the terms they had.
    Changes to a contract's terms queue up on its row, so the rules hold
    however many arrive at once: a version from a date sent twice at once is
    kept once, the second refused naming effective_from (it was an
    IntegrityError on PostgreSQL)."""
    require_commissioner_of(user, contract)
    # The row lock queues this behind an offer being made at the same moment.
    status = (
        Contract.objects.select_for_update().values_list("status", flat=True).get(pk=contract.pk)
    )
    if status in TERMS_FIXED:
        raise ValidationError({"contract": TERMS_FIXED[status]})
    return add_version(
        user=user,
        contract=contract,
        metric=metric,
        effective_from=effective_from,
        minimum_threshold=minimum_threshold,
        target=target,
        baseline=baseline,
        weight=weight,
        is_national=is_national,
        accountable=accountable,
        reason=reason,
    )


def term_errors(contract, metric, effective_from, minimum_threshold, target, reason) -> dict:
    """What is wrong with new terms for `metric` in `contract` from
    `effective_from`, by field (the draft's terms and variations alike)."""
    errors = check_thresholds(metric, Decimal(minimum_threshold), Decimal(target))
    if not contract.start_date <= effective_from <= contract.end_date:
        errors["effective_from"] = "The date must fall within the contract."
    existing = ContractMetric.objects.filter(contract=contract, metric=metric)
    if existing.exists() and not (reason or "").strip():
        errors["reason"] = "Say why the terms are changing."
    if existing.filter(effective_from=effective_from).exists():
        errors["effective_from"] = "A version from this date exists: choose another date."
    elif existing.filter(effective_from__gt=effective_from).exists():
        errors["effective_from"] = "A later version exists: changes apply from after it."
    return errors


def add_version(
    *,
    user,
    contract,
    metric,
    effective_from,
    minimum_threshold,
    target,
    baseline=None,
    weight=1,
    is_national=False,
    accountable="provider",
    reason="",
) -> ContractMetric:
    """The version itself, once who may make it has been decided (the
    commissioner's draft, or an agreed variation)."""
    errors = term_errors(contract, metric, effective_from, minimum_threshold, target, reason)
    if errors:
        raise ValidationError(errors)
    version = ContractMetric(
        contract=contract,
        metric=metric,
        effective_from=effective_from,
        minimum_threshold=minimum_threshold,
        target=target,
        baseline=baseline,
        weight=weight,
        is_national=is_national,
        accountable=accountable,
        reason=reason,
        created_by=user,
    )
    version.full_clean()
    save_as(version, user)
    return version
