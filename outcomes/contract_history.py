"""A contract's change log, read from django-simple-history: who changed
what, when, and each field's value before and after.

One query per kind of record, whatever the number of changes: consecutive
historical rows of the same object are compared in Python rather than with
`diff_against`, which would query once per row."""

from dataclasses import dataclass, field
from datetime import datetime

from contracts.models import (
    ActualCost,
    BudgetPlanMonth,
    Contract,
    ContractYear,
    PerformanceNotice,
    RemedialMilestone,
    Withholding,
)
from outcomes.models import ContractMetric

SKIPPED_FIELDS = {"id", "created_at"}


@dataclass
class Change:
    when: datetime
    who: str
    what: str
    kind: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def _sources(contract: Contract):
    """(model, historical rows of this contract, related fields to load, label)."""
    notice_ids = contract.notices.values("id")
    return [
        (Contract, Contract.history.filter(id=contract.id), [], lambda r: "Contract terms"),
        (
            ContractYear,
            ContractYear.history.filter(contract_id=contract.id),
            [],
            lambda r: f"Contract year {r.number}",
        ),
        (
            BudgetPlanMonth,
            BudgetPlanMonth.history.filter(year__contract_id=contract.id),
            [],
            lambda r: f"Monthly plan for {r.month:%B %Y}",
        ),
        (
            ActualCost,
            ActualCost.history.filter(contract_id=contract.id),
            [],
            lambda r: f"Actual cost for {r.month:%B %Y}",
        ),
        (
            ContractMetric,
            ContractMetric.history.filter(contract_id=contract.id),
            ["metric"],
            lambda r: f"Metric {r.metric.code} terms from {r.effective_from:%d %B %Y}",
        ),
        (
            PerformanceNotice,
            PerformanceNotice.history.filter(contract_id=contract.id),
            [],
            lambda r: f"Notice {r.id}: {r.title}",
        ),
        (
            RemedialMilestone,
            RemedialMilestone.history.filter(notice_id__in=notice_ids),
            [],
            lambda r: f"Notice {r.notice_id} milestone: {r.description}",
        ),
        (
            Withholding,
            Withholding.history.filter(notice_id__in=notice_ids),
            [],
            lambda r: f"Notice {r.notice_id} withholding for {r.month:%B %Y}",
        ),
    ]


def _display(record, model_field) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "(none)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return f"#{value}"
    return str(value)


def change_log(contract: Contract) -> list[Change]:
    """Every recorded change to the contract and its parts, newest first."""
    changes = []
    for model, rows, related, label in _sources(contract):
        tracked = [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
        previous = {}
        for record in rows.select_related("history_user", *related).order_by(
            "history_date", "history_id"
        ):
            before = previous.get(record.id)
            diffs = [
                (f.verbose_name, _display(before, f) if before else "", _display(record, f))
                for f in tracked
                if before is None or getattr(before, f.attname) != getattr(record, f.attname)
            ]
            previous[record.id] = record
            if record.history_type == "~" and not diffs:
                continue  # saved without a change
            user = record.history_user
            changes.append(
                Change(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "Concord (automatic)",
                    what=label(record),
                    kind=record.get_history_type_display(),
                    fields=[] if record.history_type == "-" else diffs,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes
