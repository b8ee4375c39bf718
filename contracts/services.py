"""Writes to contracts with business rules: creating a contract with its
years, its agreement (offer, withdraw, accept, decline, terminate), the
monthly plan and actual cost. Notices have their own module,
contracts.notices."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.choices import ContractStatus, ContractStep
from contracts.models import ActualCost, BudgetPlanMonth, Contract, ContractYear
from contracts.permissions import (
    COMMISSIONER_ONLY,
    PROVIDER_ANSWERS,
    can_answer_offer,
    can_commission,
    can_manage_contract,
    can_terminate,
    require_commissioner_of,
)
from contracts.signals import contract_accepted
from core.history import bulk_create_as, delete_as, save_as
from core.permissions import require


def contract_year_bounds(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Consecutive 12-month years from `start`; the last one ends on `end`."""
    bounds = []
    year_start = start
    while year_start <= end:
        year_end = min(year_start + relativedelta(years=1) - dt.timedelta(days=1), end)
        bounds.append((year_start, year_end))
        year_start = year_end + dt.timedelta(days=1)
    return bounds


@transaction.atomic
def create_contract(*, user, years: list[dict], **fields) -> Contract:
    """Create a contract and its years. `years` gives, in order, each year's
    contract_value and planned_budget; there must be one per 12 months."""
    require(can_commission(user), "Only commissioners create contracts.")
    contract = Contract(created_by=user, **{**fields, "status": ContractStatus.DRAFT})
    contract.full_clean()
    require_commissioner_of(user, contract.commissioner_id)
    bounds = contract_year_bounds(contract.start_date, contract.end_date)
    if len(years) != len(bounds):
        raise ValidationError(
            {
                "years": f"The contract runs for {len(bounds)} year(s): give a value and a "
                f"planned budget for each (got {len(years)})."
            }
        )
    save_as(contract, user)
    for number, ((start, end), values) in enumerate(zip(bounds, years, strict=True), start=1):
        set_contract_year(
            user=user, contract=contract, number=number, start_date=start, end_date=end, **values
        )
    return contract


# --- The agreement (docs/contracts.md) -------------------------------------

# The statuses each step starts from, and what anyone trying it from another
# status is told.
STEP_FROM = {
    ContractStep.OFFER: (ContractStatus.DRAFT,),
    ContractStep.WITHDRAW: (ContractStatus.DRAFT, ContractStatus.OFFERED),
    ContractStep.ACCEPT: (ContractStatus.OFFERED,),
    ContractStep.DECLINE: (ContractStatus.OFFERED,),
    ContractStep.TERMINATE: (ContractStatus.ACCEPTED,),
}
ALREADY = {
    ContractStatus.DRAFT: "The contract is still a draft: it has not been offered.",
    ContractStatus.OFFERED: "The contract has been offered and is waiting for the provider.",
    ContractStatus.DECLINED: "The provider declined this offer.",
    ContractStatus.WITHDRAWN: "The commissioner withdrew this offer.",
    ContractStatus.ACCEPTED: "The provider has already accepted this contract.",
    ContractStatus.TERMINATED: "This contract has been terminated.",
}


def _for_step(contract, step: ContractStep) -> Contract:
    """The contract, its row locked until the transaction ends (concurrent
    steps queue up, and the second finds the first's status), if `step`
    may be taken from its status; ValidationError naming `status` if not."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("commissioner", "provider")
        .get(pk=contract.pk)
    )
    if contract.status not in STEP_FROM[step]:
        raise ValidationError({"status": f"{ALREADY[contract.status]} Nothing was changed."})
    return contract


def _record(contract, user, reason: str) -> Contract:
    contract._change_reason = reason[:100]  # simple_history's column
    save_as(contract, user)
    return contract


@transaction.atomic
def offer_contract(*, user, contract) -> Contract:
    """The commissioner offers a draft, with its terms, to the provider."""
    require(can_manage_contract(user, contract), COMMISSIONER_ONLY)
    contract = _for_step(contract, ContractStep.OFFER)
    contract.status, contract.offered_at = ContractStatus.OFFERED, timezone.now()
    return _record(contract, user, f"Offered to {contract.provider.name}")


@transaction.atomic
def withdraw_offer(*, user, contract) -> Contract:
    """The commissioner withdraws a draft or an offer not yet answered."""
    require(can_manage_contract(user, contract), COMMISSIONER_ONLY)
    contract = _for_step(contract, ContractStep.WITHDRAW)
    contract.status = ContractStatus.WITHDRAWN
    return _record(contract, user, "Offer withdrawn")


@transaction.atomic
def accept_offer(*, user, contract) -> Contract:
    """The provider accepts: the contract binds both parties from now on and
    shares their data (contracts.access). Outcomes scores it (the
    contract_accepted signal, after commit)."""
    require(can_answer_offer(user, contract), PROVIDER_ANSWERS)
    contract = _for_step(contract, ContractStep.ACCEPT)
    contract.status = ContractStatus.ACCEPTED
    contract.answered_at, contract.answered_by = timezone.now(), user
    _record(contract, user, f"Accepted by {contract.provider.name}")
    transaction.on_commit(lambda: contract_accepted.send(sender=Contract, contract=contract))
    return contract


@transaction.atomic
def decline_offer(*, user, contract, reason: str) -> Contract:
    """The provider declines, saying why; the commissioner may offer again
    as a new draft."""
    require(can_answer_offer(user, contract), PROVIDER_ANSWERS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the offer is declined."})
    contract = _for_step(contract, ContractStep.DECLINE)
    contract.status, contract.decline_reason = ContractStatus.DECLINED, reason
    contract.answered_at, contract.answered_by = timezone.now(), user
    return _record(contract, user, f"Declined by {contract.provider.name}")


@transaction.atomic
def terminate_contract(*, user, contract, terminated_on: dt.date, reason: str) -> Contract:
    """Either party ends an agreed contract early, from a date within it,
    with a reason. Its months up to that date stay readable to the parties;
    nothing is expected of later months."""
    require(
        can_terminate(user, contract),
        "Only the parties to this contract can terminate it.",
    )
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the contract is terminated."
    if terminated_on is None or not contract.start_date <= terminated_on <= contract.end_date:
        errors["terminated_on"] = (
            f"Give a date from {contract.start_date:%-d %B %Y} to {contract.end_date:%-d %B %Y}."
        )
    if errors:
        raise ValidationError(errors)
    contract = _for_step(contract, ContractStep.TERMINATE)
    contract.status = ContractStatus.TERMINATED
    contract.terminated_on, contract.termination_reason = terminated_on, reason
    return _record(contract, user, f"Terminated from {terminated_on:%-d %B %Y}")


def set_contract_year(
    *, user, contract, number, start_date, end_date, contract_value, planned_budget
):
    """Create or update one contract year, refusing overlaps with the others."""
    overlapping = contract.years.exclude(number=number).filter(
        start_date__lte=end_date, end_date__gte=start_date
    )
    if overlapping.exists():
        raise ValidationError({"start_date": f"Year {number} overlaps another contract year."})
    if start_date < contract.start_date or end_date > contract.end_date:
        raise ValidationError({"end_date": f"Year {number} falls outside the contract's dates."})
    year = ContractYear.objects.filter(contract=contract, number=number).first() or ContractYear(
        contract=contract, number=number
    )
    year.start_date, year.end_date = start_date, end_date
    year.contract_value, year.planned_budget = Decimal(contract_value), Decimal(planned_budget)
    year.full_clean()
    save_as(year, user)
    return year


@transaction.atomic
def set_monthly_plan(*, user, year: ContractYear, amounts: dict[dt.date, Decimal]):
    """Split a year's planned budget by month; the months must add up to it."""
    require_commissioner_of(user, year.contract)
    months = {month.replace(day=1): Decimal(amount) for month, amount in amounts.items()}
    # A month belongs to the year holding its first day; the contract's first
    # month belongs to year 1 even when the contract starts mid-month.
    first = year.start_date.replace(day=1) if year.number == 1 else year.start_date
    outside = [m for m in months if not (first <= m <= year.end_date)]
    if outside:
        raise ValidationError(
            {"month": f"{outside[0]:%B %Y} is outside contract year {year.number}."}
        )
    total = sum(months.values(), Decimal(0))
    if total != year.planned_budget:
        raise ValidationError(
            {
                "planned_amount": f"The months add up to £{total:,.2f}, not the year's "
                f"planned budget of £{year.planned_budget:,.2f}."
            }
        )
    for old in year.plan_months.all():
        delete_as(old, user)
    bulk_create_as(
        BudgetPlanMonth,
        (BudgetPlanMonth(year=year, month=m, planned_amount=a) for m, a in sorted(months.items())),
        user,
    )


@transaction.atomic
def record_actual_cost(
    *, user, contract, month: dt.date, amount, note: str = ""
) -> tuple[ActualCost, bool]:
    """Record (or correct: history keeps the old figure) a month's actual
    cost: (the cost, whether it was new). Records on a contract queue up on
    its row, so a month sent twice at once is recorded, then corrected,
    never stored twice (the second was an IntegrityError on PostgreSQL)."""
    require_commissioner_of(user, contract)
    Contract.objects.select_for_update().get(pk=contract.pk)
    month = month.replace(day=1)
    if not (contract.start_date.replace(day=1) <= month <= contract.end_date):
        raise ValidationError({"month": f"{month:%B %Y} is outside the contract."})
    cost = ActualCost.objects.filter(contract=contract, month=month).first() or ActualCost(
        contract=contract, month=month
    )
    created = cost.pk is None
    cost.amount, cost.note, cost.recorded_by = Decimal(amount), note, user
    cost.full_clean()
    save_as(cost, user)
    return cost, created
