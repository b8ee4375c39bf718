"""Writes for incentives, with their rules: scheme versions, settlement
computation, sign-off and comments. Each is one transaction, checks who may
make it (incentives.permissions) first, and bad input raises ValidationError
naming the field with nothing saved."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contracts.choices import Role
from contracts.models import Contract, ContractYear
from core.history import bulk_create_as, save_as
from core.numbers import plain
from dialogues.services.actions import raise_action
from incentives import defaults, permissions
from incentives import settlement as maths
from incentives.choices import SettlementStatus
from incentives.models import (
    GainShareBand,
    IncentiveScheme,
    QualityIndicator,
    RiskCorridor,
    Settlement,
    SettlementComment,
    SettlementLine,
)
from incentives.selectors import gather, inputs_from_record, schemes_with_rules
from outcomes.choices import Direction
from outcomes.models import ContractMetric

SCHEME_PARAMETERS = (
    "gateway_score",
    "support_threshold",
    "penalty_threshold",
    "penalty_rate",
    "penalty_cap",
    "quality_pot",
    "minimum_coverage",
)


def _decimal(errors, name, value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(f"{value!r} is not a number.")
        return Decimal(0)


def _check_at_risk(errors, values, years: int) -> list[str]:
    if len(values) > years:
        errors.setdefault("at_risk_percents", []).append(
            f"The contract has {years} year(s) but {len(values)} shares at risk were given."
        )
    cleaned = []
    for number, value in enumerate(values, start=1):
        amount = _decimal(errors, "at_risk_percents", value)
        if not Decimal(0) <= amount <= Decimal(100):
            errors.setdefault("at_risk_percents", []).append(
                f"Year {number}: the share at risk must be between 0% and 100%."
            )
        cleaned.append(str(amount))
    return cleaned


def _check_indicators(errors, contract, indicators) -> None:
    attached = set(
        ContractMetric.objects.filter(contract=contract).values_list("metric_id", flat=True)
    )
    seen = set()
    for number, row in enumerate(indicators, start=1):
        metric = row["metric"]
        if metric.pk not in attached:
            errors.setdefault("indicators", []).append(
                f"Indicator {number}: {metric.code} is not one of this contract's metrics."
            )
        if metric.pk in seen:
            errors.setdefault("indicators", []).append(
                f"Indicator {number}: {metric.code} is already an indicator."
            )
        seen.add(metric.pk)
        low, high = Decimal(str(row["minimum"])), Decimal(str(row["maximum"]))
        if metric.direction == Direction.HIGHER_IS_BETTER and high < low:
            errors.setdefault("indicators", []).append(
                f"Indicator {number}: higher is better for {metric.code}, so the maximum "
                "(full payment) must be above the minimum."
            )
        if metric.direction == Direction.LOWER_IS_BETTER and high > low:
            errors.setdefault("indicators", []).append(
                f"Indicator {number}: lower is better for {metric.code}, so the maximum "
                "(full payment) must be below the minimum."
            )


@transaction.atomic
def create_scheme_version(
    *,
    user,
    contract: Contract,
    effective_from_year: int,
    bands: list[dict],
    corridors: list[dict],
    indicators: list[dict] = (),
    at_risk_percents: list = (),
    reason: str = "",
    support_plan_due_days: int = defaults.SUPPORT_PLAN_DUE_DAYS,
    **parameters,
) -> IncentiveScheme:
    """Add a version of the contract's incentive scheme applying from contract
    year `effective_from_year`. Versions are never edited, and a new one may
    only start after the last signed-off year, so a signed-off year keeps the
    version it was settled under. `bands`, `corridors` and
    `indicators` are lists of dicts (indicators name a `metric`)."""
    permissions.require_scheme_author(user, contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)  # versions queue up
    errors: dict[str, list[str]] = {}
    unknown = set(parameters) - set(SCHEME_PARAMETERS)
    if unknown:
        raise TypeError(f"Unknown scheme parameters: {sorted(unknown)}")
    values = {
        name: plain(
            _decimal(
                errors, name, parameters.get(name, IncentiveScheme._meta.get_field(name).default)
            )
        )
        for name in SCHEME_PARAMETERS
    }
    years = contract.years.count()
    if not 1 <= effective_from_year <= years:
        errors.setdefault("effective_from_year", []).append(f"The contract has years 1 to {years}.")
    else:
        # A signed-off year keeps its version: the new one may only start
        # after the last signed-off year, whatever the years before it are.
        last_signed_off = Settlement.objects.filter(
            contract_year__contract=contract, status=SettlementStatus.SIGNED_OFF
        ).aggregate(last=Max("contract_year__number"))["last"]
        if last_signed_off is not None and last_signed_off >= effective_from_year:
            errors.setdefault("effective_from_year", []).append(
                f"Year {last_signed_off} is signed off and keeps its scheme version: "
                f"a new version can apply from year {last_signed_off + 1} at the earliest."
            )
    existing = IncentiveScheme.objects.filter(contract=contract)
    if existing.exists() and not reason.strip():
        errors.setdefault("reason", []).append("Say why the scheme is changing.")
    reason_length = IncentiveScheme._meta.get_field("reason").max_length
    if len(reason.strip()) > reason_length:
        errors.setdefault("reason", []).append(
            f"Keep the reason to {reason_length} characters (it has {len(reason.strip())})."
        )
    if not Decimal(0) <= values["minimum_coverage"] <= Decimal(100):
        errors.setdefault("minimum_coverage", []).append(
            "The minimum coverage must be between 0% and 100%."
        )
    at_risk = _check_at_risk(errors, list(at_risk_percents), years)
    if not 1 <= int(support_plan_due_days) <= 365:
        errors.setdefault("support_plan_due_days", []).append(
            "Give the support plan between 1 and 365 days."
        )

    def dec(row, name, label):
        value = row.get(name)
        return None if value in (None, "") else plain(_decimal(errors, label, value))

    rules = maths.Scheme(
        version="new",
        bands=tuple(
            maths.Band(
                dec(b, "lower", "bands"), dec(b, "upper", "bands"), dec(b, "network_share", "bands")
            )
            for b in bands
        ),
        corridors=tuple(
            maths.Corridor(
                dec(c, "lower", "corridors"),
                dec(c, "upper", "corridors"),
                dec(c, "network_share", "corridors"),
            )
            for c in corridors
        ),
        indicators=tuple(
            maths.Indicator(
                i["metric"].code,
                i["metric"].name,
                dec(i, "minimum", "indicators"),
                dec(i, "maximum", "indicators"),
                dec(i, "weight", "indicators"),
            )
            for i in indicators
        ),
        **{name: values[name] for name in SCHEME_PARAMETERS if name != "minimum_coverage"},
    )
    if not errors:  # the pure checks need every number parsed
        for name, messages in maths.check_scheme(rules).items():
            errors.setdefault(name, []).extend(messages)
        _check_indicators(errors, contract, indicators)
    if errors:
        raise ValidationError(errors)

    latest = existing.aggregate(latest=Max("version"))["latest"] or 0
    scheme = IncentiveScheme(
        contract=contract,
        version=latest + 1,
        effective_from_year=effective_from_year,
        at_risk_percents=at_risk,
        support_plan_due_days=support_plan_due_days,
        reason=reason.strip(),
        created_by=user,
        **values,
    )
    save_as(scheme, user)
    bulk_create_as(
        GainShareBand,
        (
            GainShareBand(
                scheme=scheme, lower=b.lower, upper=b.upper, network_share=b.network_share
            )
            for b in rules.bands
        ),
        user,
    )
    bulk_create_as(
        RiskCorridor,
        (
            RiskCorridor(scheme=scheme, lower=c.lower, upper=c.upper, network_share=c.network_share)
            for c in rules.corridors
        ),
        user,
    )
    bulk_create_as(
        QualityIndicator,
        (
            QualityIndicator(
                scheme=scheme,
                metric=row["metric"],
                minimum=rule.minimum,
                maximum=rule.maximum,
                weight=rule.weight,
            )
            for row, rule in zip(indicators, rules.indicators, strict=True)
        ),
        user,
    )
    return scheme


def scheme_in_force(contract, year_number: int) -> IncentiveScheme | None:
    return schemes_with_rules().in_force_for(contract, year_number)


def _write_lines(settlement: Settlement, result: maths.Result) -> None:
    settlement.lines.all().delete()
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            position=position,
            key=line.key,
            label=line.label,
            amount=line.amount,
            recipient=line.recipient,
            inputs=line.inputs,
            rule=line.rule,
            rule_version=line.rule_version,
        )
        for position, line in enumerate(result.lines, start=1)
    )


@transaction.atomic
def compute_settlement(*, contract_year: ContractYear, user=None) -> Settlement:
    """Compute (or recompute) the draft settlement of a contract year under
    the scheme version in force. Idempotent: unchanged inputs leave the draft
    as it is. A signed-off settlement is locked. `user` None is a scheduled run."""
    if user is not None:
        permissions.require_settler(user, contract_year.contract)
    # The year's row lock makes two runs of the same year queue up.
    year = (
        ContractYear.objects.select_for_update()
        .select_related("contract__provider")
        .get(pk=contract_year.pk)
    )
    settlement = Settlement.objects.filter(contract_year=year).first()
    if settlement and settlement.is_signed_off:
        raise ValidationError(
            {"status": f"The settlement of year {year.number} is signed off and cannot change."}
        )
    scheme = scheme_in_force(year.contract, year.number)
    if scheme is None:
        raise ValidationError(
            {"scheme": f"No incentive scheme applies to year {year.number} of this contract."}
        )
    gathered = gather(year, scheme)
    if settlement and settlement.inputs_digest == gathered.digest:
        return settlement
    result = maths.settle(scheme.as_rules(year.number), gathered.inputs)
    settlement = settlement or Settlement(contract=year.contract, contract_year=year)
    now = timezone.now()
    settlement.scheme = scheme
    settlement.inputs = gathered.record
    settlement.inputs_digest = gathered.digest
    settlement.rule_version = maths.RULE_VERSION
    settlement.score = gathered.inputs.score
    settlement.savings = result.savings
    settlement.net_transfer = result.net_transfer
    settlement.computed_at = now
    settlement.computed_by = user
    raise_plan = result.support_plan and settlement.support_plan_raised_at is None
    settlement.support_plan = result.support_plan
    save_as(settlement, user)
    if raise_plan:
        _raise_support_plan(settlement, scheme, user)
    _write_lines(settlement, result)
    return settlement


def _raise_support_plan(settlement: Settlement, scheme: IncentiveScheme, user) -> None:
    """Raise the support plan as an action in the network's dialogues, owned
    by its network manager (support comes before any penalty). Raised once per
    settlement: a recomputed draft does not raise it again."""
    contract, year = settlement.contract, settlement.contract_year
    owner = (
        get_user_model()
        .objects.filter(
            memberships__organisation=contract.provider,
            memberships__role=Role.NETWORK_MANAGER,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    settlement.support_plan_raised_at = timezone.now()
    score = "no score" if settlement.score is None else f"a score of {settlement.score}"
    if owner is None:
        settlement.support_plan_note = (
            f"{contract.provider.name} has no network manager to own the support plan: "
            "agree an owner and raise it in the network's action log."
        )
    else:
        try:
            settlement.support_action = raise_action(
                network=contract.provider,
                title=f"Support plan: {contract.reference} year {year.number}",
                detail=(
                    f"Year {year.number} ended with {score}, below the support threshold of "
                    f"{scheme.support_threshold:g}. Agree peer support and training with the "
                    "commissioner (incentive scheme, support before penalties)."
                ),
                owner=owner,
                owner_organisation=contract.provider,
                due_on=timezone.localdate() + dt.timedelta(days=scheme.support_plan_due_days),
                raised_by=user,
            )
        except ValidationError as exc:
            settlement.support_plan_note = "The action could not be raised: " + " ".join(
                exc.messages
            )
    save_as(settlement, user)


def due_years(year: int):
    """Contract years ending in calendar year `year`."""
    return ContractYear.objects.filter(end_date__year=year).select_related("contract")


def run_settlements(year: int, today=None) -> list[tuple[ContractYear, str]]:
    """Settle every contract year ending in `year` (one transaction each, so
    one year's problem never stops the others). Returns what happened to each:
    "computed", "unchanged", "signed off" or the reason it was skipped."""
    today = today or timezone.localdate()
    report = []
    for contract_year in due_years(year).order_by("contract__reference", "number"):
        if contract_year.end_date >= today:
            report.append((contract_year, "not ended yet"))
            continue
        before = Settlement.objects.filter(contract_year=contract_year).first()
        if before and before.is_signed_off:
            report.append((contract_year, "signed off"))
            continue
        try:
            after = compute_settlement(contract_year=contract_year)
        except ValidationError as exc:
            report.append((contract_year, "skipped: " + " ".join(exc.messages)))
            continue
        unchanged = before and before.inputs_digest == after.inputs_digest
        report.append((contract_year, "unchanged" if unchanged else "computed"))
    return report


@transaction.atomic
def sign_off(*, user, settlement: Settlement) -> Settlement:
    """Lock a settlement. Refused when its inputs (or the scheme version in
    force) changed since it was computed: recompute and review it first."""
    permissions.require_signatory(user, settlement)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.is_signed_off:
        raise ValidationError({"status": "This settlement is already signed off."})
    year = settlement.contract_year
    scheme = scheme_in_force(settlement.contract, year.number)
    try:
        current = gather(year, scheme).digest if scheme else None
    except ValidationError:
        current = None
    if current != settlement.inputs_digest:
        raise ValidationError(
            {
                "inputs_digest": "The inputs have changed since this settlement was computed "
                f"on {timezone.localtime(settlement.computed_at):%d %B %Y at %H:%M}: "
                "recompute it and review the new figures before signing off."
            }
        )
    settlement.status = SettlementStatus.SIGNED_OFF
    settlement.signed_off_by = user
    settlement.signed_off_at = timezone.now()
    save_as(settlement, user)
    return settlement


@transaction.atomic
def add_comment(*, user, settlement: Settlement, text: str) -> SettlementComment:
    """A party's comment on a draft settlement (comments close at sign-off)."""
    organisation = permissions.require_commenter(user, settlement)
    # Read the status under a lock: a sign-off in between closes comments.
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.is_signed_off:
        raise ValidationError({"text": "The settlement is signed off: comments are closed."})
    if not text.strip():
        raise ValidationError({"text": "Write a comment."})
    comment = SettlementComment(
        settlement=settlement, author=user, organisation=organisation, text=text.strip()
    )
    return save_as(comment, user)


def what_if(*, settlement: Settlement, score=None, actual_cost=None) -> maths.Result:
    """The settlement recomputed with a changed score and/or actual cost,
    under its own scheme version; nothing is saved."""
    inputs = inputs_from_record(settlement.inputs)
    changes = {}
    if score is not None:
        changes["score"] = Decimal(str(score))
    if actual_cost is not None:
        changes["actual_cost"] = Decimal(str(actual_cost))
    scheme = schemes_with_rules().get(pk=settlement.scheme_id)
    return maths.settle(
        scheme.as_rules(settlement.contract_year.number), replace(inputs, **changes)
    )
