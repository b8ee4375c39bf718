"""A contract's scorecard for a month (kind "contract", issue 6): what the
dashboard shows for the contract's network (or provider) and month, frozen
by the one publishing mechanism (reporting.publishing), which also
withdraws it.

Published scorecards use accepted data only (docs/outcomes-data.md): the
month must be accepted for every organisation expected to submit, and months
of the trend that are not are left out (shown as not accepted), never scored
as zero. The snapshot is plain values that later rescoring, rebasing or
changes to metric names never reach.

The snapshot also freezes, in plain words, how the network's payment
depended on its outcomes in each contract year whose settlement was signed
off by the time of publishing (incentives.selectors.public_settlements):
drafts never reach it (see docs/incentives.md)."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError

from contracts.models import Contract, Organisation
from core.permissions import require
from incentives.selectors import public_settlements
from outcomes.choices import ReviewStatus, Variation
from outcomes.models import PeriodReview
from outcomes.selectors import expected_organisations
from reporting import dashboards, publishing
from reporting.choices import ScorecardKind, ScorecardTrend
from reporting.models import PublishedScorecard

# 2: "payments" (version 1 snapshots have none); 3: "commissioner_metrics".
SNAPSHOT_VERSION = 3

# A measure's trend word (stored in the snapshot) by its SPC variation.
TRENDS = {
    Variation.IMPROVEMENT_HIGH: ScorecardTrend.IMPROVING,
    Variation.IMPROVEMENT_LOW: ScorecardTrend.IMPROVING,
    Variation.CONCERN_HIGH: ScorecardTrend.GETTING_WORSE,
    Variation.CONCERN_LOW: ScorecardTrend.GETTING_WORSE,
    Variation.COMMON_CAUSE: ScorecardTrend.NO_SIGNIFICANT_CHANGE,
    Variation.NEUTRAL_HIGH: ScorecardTrend.CHANGED_HIGHER,
    Variation.NEUTRAL_LOW: ScorecardTrend.CHANGED_LOWER,
}


def accepted_months(contract) -> set[dt.date]:
    """Months accepted for every organisation expected to submit (providers
    or a network's members). Three queries."""
    providers, _ = expected_organisations(contract)
    expected = {org.pk for org in providers}
    accepted: dict[dt.date, set[int]] = {}
    for org_id, month in PeriodReview.objects.filter(
        contract_id=contract.pk, status=ReviewStatus.ACCEPTED
    ).values_list("organisation_id", "period_start"):
        accepted.setdefault(month, set()).add(org_id)
    return {month for month, orgs in accepted.items() if expected <= orgs}


@dataclass
class ContractScorecard(publishing.Subject):
    """The scorecard of `organisation` (the contract's provider: its network,
    or the provider itself) for the month starting `period`."""

    contract: Contract
    organisation: Organisation
    period: dt.date

    kind = ScorecardKind.CONTRACT
    field = "period"
    summary_hint = "how the services are doing"

    @property
    def commissioner_id(self) -> int:
        return self.contract.commissioner_id

    @property
    def name(self) -> str:
        return f"The scorecard for {self.period:%B %Y}"

    def identity(self) -> dict:
        return {
            "contract": self.contract,
            "organisation": self.organisation,
            "period_start": self.period,
        }

    def scorecard_fields(self) -> dict:
        return self.identity()

    def default_title(self) -> str:
        return f"{self.organisation.name}: scorecard for {self.period:%B %Y}"

    @cached_property
    def accepted_months(self) -> set[dt.date]:
        return accepted_months(self.contract)

    def problems(self) -> dict[str, str]:
        if self.organisation.pk != self.contract.provider_id:
            return {
                "organisation": f"Scorecards are published for {self.contract.provider.name} "
                "as a whole."
            }
        if self.period not in self.accepted_months:
            return {
                "period": f"{self.period:%B %Y} is not accepted for every organisation yet: "
                "published scorecards use accepted data only. Accept the month's data first."
            }
        return {}

    def build_snapshot(self, user) -> dict:
        contract, organisation, period = self.contract, self.organisation, self.period
        selection = dashboards.select(
            user, contract=contract.pk, organisation=organisation.pk, period=f"{period:%Y-%m}"
        )
        require(
            selection.contract == contract and selection.organisation == organisation,
            "You cannot see this contract's scores.",
        )
        if selection.period != period:
            raise ValidationError({"period": "Choose a month of the contract that has started."})
        months = self.accepted_months
        board = dashboards.build(user, selection)
        names = {org.pk: org for org in selection.organisations}
        return {
            "version": SNAPSHOT_VERSION,
            "contract": {
                "reference": contract.reference,
                "title": contract.title,
                "service": contract.service,
            },
            "commissioner": {
                "code": contract.commissioner.code,
                "name": contract.commissioner.name,
            },
            "organisation": {
                "code": organisation.code,
                "name": organisation.name,
                "is_network": organisation.is_network,
            },
            "period_start": period.isoformat(),
            "aggregate": {
                "score": publishing.snapshot_number((board.aggregate or {}).get("score")),
                "coverage": publishing.snapshot_number((board.aggregate or {}).get("coverage")),
            },
            "trend": [
                {
                    "period_start": row.period_start.isoformat(),
                    "accepted": row.period_start in months,
                    "score": publishing.snapshot_number(dashboards.as_value(row.score))
                    if row.period_start in months
                    else None,
                }
                for row in board.trend.itertuples()
            ],
            "dimensions": [
                {
                    "name": item["dimension"].name,
                    "description": item["dimension"].description,
                    "score": publishing.snapshot_number(item["score"]),
                    "coverage": publishing.snapshot_number(item["coverage"]),
                }
                for item in board.dimensions
            ],
            "metrics": _metrics(board, months),
            "commissioner_metrics": _commissioner_metrics(user, contract, period, months),
            "members": [
                {
                    "code": names[row.organisation_id].code,
                    "name": names[row.organisation_id].name,
                    "is_network": names[row.organisation_id].is_network,
                    "score": publishing.snapshot_number(dashboards.as_value(row.score)),
                    "coverage": publishing.snapshot_number(dashboards.as_value(row.coverage)),
                }
                for row in board.member_aggregates.itertuples()
                if row.organisation_id in names
            ],
            "payments": public_settlements(contract, organisation.name),
        }


def _metrics(board, months: set[dt.date]) -> list[dict]:
    """The board's metric rows as plain values; history only of accepted months."""
    window = list(board.trend["period_start"])
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "description": row["description"],
            "dimension": row["dimension"],
            "unit": row["unit"],
            "direction": row["direction"],
            "expected": row["expected"],
            "value": publishing.snapshot_number(row["value"]),
            "target": publishing.snapshot_number(row["target"]),
            "minimum": publishing.snapshot_number(row["minimum"]),
            "score": publishing.snapshot_number(row["score"]),
            "rating": row["rating"],
            "variation": row["variation"],
            "assurance": row["assurance"],
            "trend": TRENDS.get(row["variation"]),
            "history": [
                {
                    "period_start": month.isoformat(),
                    "value": publishing.snapshot_number(value) if month in months else None,
                }
                for month, value in zip(window, row["sparkline"], strict=True)
            ],
        }
        for row in board.metric_rows
    ]


def _commissioner_metrics(user, contract, period: dt.date, months: set[dt.date]) -> list[dict]:
    """The metrics the contract holds the commissioner to, with its values:
    accountability runs both ways (docs/permissions.md). Empty when there
    are none."""
    selection = dashboards.select(
        user,
        contract=contract.pk,
        organisation=contract.commissioner_id,
        period=f"{period:%Y-%m}",
    )
    if selection.organisation is None or selection.organisation.pk != contract.commissioner_id:
        return []
    return _metrics(dashboards.build(user, selection), months)


def publish(
    *, user, contract, organisation, period: dt.date, summary: str, title: str = ""
) -> PublishedScorecard:
    """Freeze and publish the contract's scorecard of `organisation` for the
    month starting `period` (reporting.publishing.publish)."""
    return publishing.publish(
        ContractScorecard(contract, organisation, period), user=user, summary=summary, title=title
    )
